package io.linkwatch.deploy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: linkwatch's version and those of what it runs on. */
public final class VersionProvider implements IVersionProvider {

  @Override
  public String[] getVersion() {
    return new String[] {
      "linkwatch " + version(),
      "Apache Kafka " + AppInfoParser.getVersion() + ", Avro " + avroVersion(),
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
    };
  }

  /** The project version the build wrote into the jar. */
  public static String version() {
    try (InputStream in =
        VersionProvider.class.getResourceAsStream("/io/linkwatch/deploy/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String avroVersion() {
    String v = org.apache.avro.Schema.class.getPackage().getImplementationVersion();
    return v == null ? "unknown" : v;
  }
}

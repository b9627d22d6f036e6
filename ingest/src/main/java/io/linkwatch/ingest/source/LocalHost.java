package io.linkwatch.ingest.source;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The name of this machine, for what needs one by default (an agent log's machine, an id). */
public final class LocalHost {

  private LocalHost() {}

  public static String name() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}

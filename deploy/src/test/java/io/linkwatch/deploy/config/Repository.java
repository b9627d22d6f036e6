package io.linkwatch.deploy.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository the tests check against the code (docs, manifests). */
public final class Repository {

  private Repository() {}

  /** The repository root: the first folder up from the working directory with a mvnw. */
  public static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("deploy"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        "no repository root (a folder with mvnw and deploy/) above "
            + Path.of("").toAbsolutePath());
  }

  public static Path file(String relative) {
    return root().resolve(relative);
  }
}

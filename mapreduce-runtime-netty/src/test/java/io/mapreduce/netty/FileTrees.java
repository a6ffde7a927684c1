package io.mapreduce.netty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Directory trees as tests compare them. */
public final class FileTrees {
  private FileTrees() {}

  /** Every file and directory under a root (by path relative to it), with each file's contents. */
  public static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        files.put(root.relativize(p).toString(), Files.isDirectory(p) ? "<dir>" : Files.readString(p));
      }
    }
    return files;
  }
}

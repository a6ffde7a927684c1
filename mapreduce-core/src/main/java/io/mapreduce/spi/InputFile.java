package io.mapreduce.spi;

import static io.mapreduce.thirdparty.com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;

/**
 * One input file, as a {@link Storage} listed it.
 *
 * @param path the file as the storage names it (a local path as the input spelled it, or a URI)
 * @param length its size in bytes
 */
public record InputFile(String path, long length) {
  public InputFile {
    Objects.requireNonNull(path, "path");
    checkArgument(length >= 0, "length must not be negative: %s", length);
  }

  /** The last component of the path: the document name of the 6.824 lab's indexer. */
  public String name() {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return p.substring(p.lastIndexOf('/') + 1);
  }
}

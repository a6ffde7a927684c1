package io.mapreduce.lib.streaming;

/** Python programs shared by the streaming tests of the core and of the command line. */
public final class StreamingScripts {
  private StreamingScripts() {}

  /** Sums adjacent lines of a key, as Hadoop Streaming reducers do; a line without a tab counts 1. */
  public static final String SUM_REDUCER = """
      #!/usr/bin/env python3
      import sys
      out = sys.stdout.buffer
      key, total = None, 0
      for line in sys.stdin.buffer:
          k, _, v = line.rstrip(b"\\n").partition(b"\\t")
          if k != key:
              if key is not None:
                  out.write(key + b"\\t" + str(total).encode() + b"\\n")
              key, total = k, 0
          total += int(v) if v else 1
      if key is not None:
          out.write(key + b"\\t" + str(total).encode() + b"\\n")
      """;
}

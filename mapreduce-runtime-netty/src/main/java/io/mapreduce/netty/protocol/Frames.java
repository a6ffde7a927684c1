package io.mapreduce.netty.protocol;

/**
 * The frame format: a 4-byte magic number, a 2-byte protocol version, a 4-byte length, then that
 * many bytes of one Kryo-encoded {@link Message}. Big-endian, as Netty writes.
 */
public final class Frames {
  /** "MRPC". */
  public static final int MAGIC = 0x4D52_5043;
  /** Bumped whenever a message's encoding changes. */
  public static final short VERSION = 5;
  public static final int HEADER_BYTES = 10;
  /** The default largest frame a peer accepts. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 64 << 20;

  private Frames() {}
}

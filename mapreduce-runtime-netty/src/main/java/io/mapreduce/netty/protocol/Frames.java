package io.mapreduce.netty.protocol;

/**
 * The frame format: a 4-byte magic number, a 2-byte protocol version, a 4-byte length, then that
 * many bytes. Big-endian, as Netty writes.
 *
 * <p>A connection has two phases. Until the handshake completes, each side sends only handshake
 * frames ({@link Handshakes}): at most {@link #HANDSHAKE_MAX_FRAME_BYTES} long, a fixed layout
 * read without Kryo. After it, the byte stream in each direction is cut into sealed records
 * ({@link SessionKeys}: length, the bytes encrypted with AES-256-GCM under a key derived from the
 * secret and both nonces, the tag), and inside
 * that stream each frame holds one Kryo-encoded {@link Message} (or, after a
 * {@code FetchResponse}, raw segment bytes). With TLS on, TLS protects the stream instead of the
 * records.
 */
public final class Frames {
  /** "MRPC". */
  public static final int MAGIC = 0x4D52_5043;
  /**
   * Bumped whenever a message's encoding changes. 6: the handshake in a fixed layout under a 1 KiB
   * limit, and every byte after it in sealed records (AES-256-GCM). 7: a worker says where it runs
   * ({@code RegisterWorker.location}). 8: a job carries its task timeout
   * ({@code ShippedJob.taskTimeoutMillis}). 9: and its output files' base name
   * ({@code ShippedJob.outputBaseName}).
   */
  public static final short VERSION = 9;
  public static final int HEADER_BYTES = 10;
  /** The default largest frame a peer accepts once authenticated. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 64 << 20;
  /** The largest frame a peer accepts before the handshake completes (the handshake's own). */
  public static final int HANDSHAKE_MAX_FRAME_BYTES = 1024;
  /** What a peer may make this side write in one log line or error frame, in characters. */
  public static final int MAX_REASON_CHARS = 200;

  private Frames() {}

  /**
   * Text that came (in part) from a peer, cut to {@link #MAX_REASON_CHARS} and on one line: a peer
   * must not make one log line or error frame as large as its frame, nor write lines of its own
   * into a log (control characters, Kryo's multi-line traces, become spaces). The note of the
   * original length counts in the limit, so text already cut passes again unchanged (a
   * {@code ProtocolError} cuts its text, which is often cut already).
   */
  public static String brief(String s) {
    if (s == null) {
      return null;
    }
    String cut = s;
    if (s.length() > MAX_REASON_CHARS) {
      String note = "... (" + s.length() + " chars)";
      cut = s.substring(0, MAX_REASON_CHARS - note.length()) + note;
    }
    StringBuilder b = null;
    for (int i = 0; i < cut.length(); i++) {
      if (Character.isISOControl(cut.charAt(i))) {
        if (b == null) {
          b = new StringBuilder(cut);
        }
        b.setCharAt(i, ' ');
      }
    }
    return b == null ? cut : b.toString();
  }
}

package io.mapreduce.netty.protocol;

import java.util.regex.Pattern;

/**
 * What a job id may be, checked wherever one arrives from a peer (a client's submission, the
 * master's orders to a worker, a reducer's fetch, the master's journal). Daemons make paths of
 * job ids ({@code <intermediate>/<job-id>}, {@code <work-dir>/jobs/<job-id>}, an output's
 * staging directory) and delete them when the job ends, so an id must be one plain path segment
 * on every file system and S3: 1 to 64 letters, digits, {@code _}, {@code .} and {@code -},
 * starting with a letter or digit (so never {@code .}, {@code ..} or a hidden name), with no
 * {@code ..} anywhere. Clients use UUIDs ({@code ClusterEngine}), which fit.
 */
public final class JobIds {
  /** The longest id: a UUID is 36 characters. */
  public static final int MAX_LENGTH = 64;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0," + (MAX_LENGTH - 1) + "}");

  private JobIds() {}

  /** Whether {@code id} is a job id a daemon accepts. */
  public static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches() && !id.contains("..");
  }

  /**
   * Returns {@code id} if it is valid.
   *
   * @throws ProtocolException naming the id (quoted, cut to the length an id may have) and what an
   *     id may be
   */
  public static String check(String id) {
    if (!isValid(id)) {
      throw new ProtocolException(refusal(id));
    }
    return id;
  }

  /** One line saying why {@code id} is refused. */
  public static String refusal(String id) {
    return "job id " + quoted(id) + " refused: a job id is 1 to " + MAX_LENGTH
        + " letters, digits, '_', '.' or '-', starting with a letter or digit, without '..'";
  }

  /** The id as a message shows it: quoted, cut to {@link #MAX_LENGTH} characters, controls escaped. */
  static String quoted(String id) {
    if (id == null) {
      return "(none)";
    }
    StringBuilder b = new StringBuilder("'");
    for (int i = 0; i < Math.min(id.length(), MAX_LENGTH); i++) {
      char c = id.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    b.append('\'');
    if (id.length() > MAX_LENGTH) {
      b.append("... (").append(id.length()).append(" characters)");
    }
    return b.toString();
  }

  /**
   * Checks the job id and task numbers of a message the master sends a worker, if it carries any.
   *
   * @throws ProtocolException when one is malformed: the connection is closed, nothing is done
   */
  public static void checkFromMaster(Message m) {
    if (m instanceof Message.StartJob s) {
      check(s.jobId());
    } else if (m instanceof Message.RunMap r) {
      checkTask(r.jobId(), r.index(), r.attempt());
    } else if (m instanceof Message.RunReduce r) {
      checkTask(r.jobId(), r.partition(), r.attempt());
    } else if (m instanceof Message.KillTask k) {
      checkTask(k.jobId(), k.index(), k.attempt());
    } else if (m instanceof Message.CommitResponse c) {
      checkTask(c.jobId(), c.index(), c.attempt());
    } else if (m instanceof Message.MapOutputs o) {
      check(o.jobId());
    } else if (m instanceof Message.EndJob e) {
      check(e.jobId());
    }
  }

  /** A task is named by its job, its index and its attempt (numbers that name its files). */
  private static void checkTask(String jobId, int index, int attempt) {
    check(jobId);
    if (index < 0 || attempt < 0) {
      throw new ProtocolException("job " + jobId + ": task " + index + " attempt " + attempt
          + " refused: task indexes and attempts are never negative");
    }
  }
}

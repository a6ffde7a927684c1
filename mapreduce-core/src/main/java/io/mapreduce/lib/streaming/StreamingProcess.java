package io.mapreduce.lib.streaming;

import io.mapreduce.TaskContext;
import io.mapreduce.internal.engine.TaskProgress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a streaming program: {@code /bin/sh -c COMMAND} in a fresh working directory, with
 * three pump threads. The task's thread hands stdin bytes to a bounded queue that one thread
 * writes to the program, and takes stdout chunks from another bounded queue that a second thread
 * fills; while it waits for room in the first it keeps draining the second, so a program that
 * writes before it has read all its input never deadlocks. A third thread reads stderr: its lines
 * go to the log, except Hadoop's {@code reporter:} lines, which update counters and status.
 *
 * <p>Output lines are delivered to the {@link LineSink} on the task's thread only, from within
 * {@link #write} and {@link #finish}, so the sink may call the task's (single-threaded) emitter.
 */
final class StreamingProcess implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamingProcess.class);
  private static final int CHUNK = 64 << 10;
  private static final int QUEUED_CHUNKS = 16;
  /** The stderr lines kept for the failure message, and their length. */
  private static final int STDERR_LINES = 20;
  private static final int STDERR_LINE_CHARS = 500;
  private static final Chunk END = new Chunk(new byte[0], 0);

  /** Receives each output line: {@code bytes[start, start + length)}, without its {@code \n}. */
  interface LineSink {
    void line(byte[] bytes, int start, int length);
  }

  private record Chunk(byte[] bytes, int length) {}

  private final String role;
  private final String command;
  private final String attemptId;
  private final Path directory;
  /** The program whose files fill the directory, released when it is removed; null before and after. */
  private StreamingProgram filesOf;
  private final Process process;
  private final LineSink sink;
  /** The task timeout's view of the attempt, or null outside an engine (a test's own context). */
  private final TaskProgress progress;
  private final BlockingQueue<Chunk> toStdin = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
  private final BlockingQueue<Chunk> fromStdout = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
  private final Thread stdinPump;
  private final Thread stdoutPump;
  private final Thread stderrPump;
  private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
  private final Map<String, Long> counters = new ConcurrentHashMap<>();
  private volatile IOException stdoutError;
  private volatile boolean stdinBroken;
  private byte[] chunk = new byte[CHUNK];
  private int used;
  /** The start of an output line that the previous chunk did not finish. */
  private byte[] carry = new byte[256];
  private int carried;
  private boolean outputEnded;
  private boolean finished;

  /**
   * The command, run as Hadoop Streaming runs it: a first word naming a file shipped with the job
   * ({@code -mapper mapper.py -file mapper.py}) is that file, made executable, not a program on the
   * path, which {@code /bin/sh} would look for.
   */
  static String shippedProgramFirst(StreamingProgram program, Path directory) {
    String command = program.command().stripLeading();
    int end = 0;
    while (end < command.length() && !Character.isWhitespace(command.charAt(end))) {
      end++;
    }
    String first = command.substring(0, end);
    if (first.isEmpty() || first.contains("/") || !program.fileNames().contains(first)) {
      return program.command();
    }
    directory.resolve(first).toFile().setExecutable(true, false);
    return "./" + command;
  }

  private StreamingProcess(String role, StreamingProgram program, TaskContext context, Map<String, String> taskEnv,
      LineSink sink) throws IOException {
    this.role = role;
    this.command = program.command();
    this.attemptId = context.taskId() + "_" + context.attempt();
    this.sink = sink;
    this.progress = context instanceof TaskProgress p ? p : null;
    this.directory = Files.createTempDirectory("mapreduce-streaming-" + attemptId + "-");
    try {
      program.writeFiles(directory);
      this.filesOf = program;
      ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", shippedProgramFirst(program, directory))
          .directory(directory.toFile());
      Map<String, String> env = pb.environment();
      env.put("mapreduce_job_id", context.jobId());
      env.put("mapreduce_task_id", context.taskId());
      env.put("mapreduce_task_attempt_id", attemptId);
      env.putAll(taskEnv);
      env.putAll(program.environment());
      try {
        synchronized (StreamingProgram.SPAWN_LOCK) {
          process = pb.start();
        }
      } catch (IOException e) {
        throw new StreamingException(describe() + " cannot be started: " + e.getMessage(), e);
      }
    } catch (IOException | RuntimeException e) {
      deleteDirectory();
      throw e;
    }
    if (progress != null) {
      // A hung program may be blocked anywhere; killing it unblocks the pumps and the task's thread.
      progress.onTimeout(this::destroy);
    }
    String name = Thread.currentThread().getName() + "-" + role;
    stdinPump = daemon(name + "-stdin", this::pumpStdin);
    stdoutPump = daemon(name + "-stdout", this::pumpStdout);
    stderrPump = daemon(name + "-stderr", this::pumpStderr);
  }

  /**
   * Starts {@code program} for one task attempt.
   *
   * @param role "mapper", "reducer" or "combiner", for messages
   * @param taskEnv variables the task adds (before the program's own)
   * @throws StreamingException if the program cannot be started
   */
  static StreamingProcess start(String role, StreamingProgram program, TaskContext context, Map<String, String> taskEnv,
      LineSink sink) throws IOException {
    return new StreamingProcess(role, program, context, taskEnv, sink);
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private String describe() {
    return "the streaming " + role + " `" + command + "` (task " + attemptId + ")";
  }

  /** Sends bytes to the program's stdin, delivering any output that has arrived meanwhile. */
  void write(byte[] bytes, int offset, int length) throws IOException {
    while (length > 0) {
      int n = Math.min(length, CHUNK - used);
      System.arraycopy(bytes, offset, chunk, used, n);
      used += n;
      offset += n;
      length -= n;
      if (used == CHUNK) {
        sendChunk();
      }
    }
  }

  void write(int b) throws IOException {
    chunk[used++] = (byte) b;
    if (used == CHUNK) {
      sendChunk();
    }
  }

  private void sendChunk() throws IOException {
    send(new Chunk(chunk, used));
    chunk = new byte[CHUNK];
    used = 0;
  }

  private void send(Chunk c) throws IOException {
    try {
      drainOutput();
      while (!toStdin.offer(c, 5, TimeUnit.MILLISECONDS)) {
        drainOutput();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while feeding " + describe());
    }
  }

  /** Delivers the output chunks that are waiting, without blocking. */
  private void drainOutput() {
    Chunk c;
    while (!outputEnded && (c = fromStdout.poll()) != null) {
      deliver(c);
    }
  }

  private void deliver(Chunk c) {
    if (c == END) {
      outputEnded = true;
      return;
    }
    byte[] b = c.bytes();
    int start = 0;
    for (int i = 0; i < c.length(); i++) {
      if (b[i] == '\n') {
        if (carried > 0) {
          appendCarry(b, start, i - start);
          sink.line(carry, 0, carried);
          carried = 0;
        } else {
          sink.line(b, start, i - start);
        }
        start = i + 1;
      }
    }
    appendCarry(b, start, c.length() - start);
  }

  private void appendCarry(byte[] b, int start, int length) {
    if (carried + length > carry.length) {
      carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carried + length));
    }
    System.arraycopy(b, start, carry, carried, length);
    carried += length;
  }

  /**
   * Closes the program's stdin, delivers the rest of its output (a last line without a
   * {@code \n} too), and waits for it to exit.
   *
   * @return the counters its stderr reported ({@code GROUP.COUNTER} to amount)
   * @throws StreamingException if it exited with a status other than 0 (or was killed), with the
   *     status and the last lines of its stderr in the message
   */
  Map<String, Long> finish() throws IOException {
    if (used > 0) {
      sendChunk();
    }
    send(END);
    try {
      while (!outputEnded) {
        deliver(fromStdout.take());
      }
      if (carried > 0) {
        sink.line(carry, 0, carried);
        carried = 0;
      }
      int status = process.waitFor();
      stdoutPump.join();
      // A background child of the program may hold stderr open: do not wait for it for ever.
      stderrPump.join(10_000);
      stdinPump.join(10_000);
      finished = true;
      if (status != 0) {
        String why = status > 128 ? "was killed by signal " + (status - 128) + " (exit status " + status + ")"
            : "exited with status " + status;
        throw new StreamingException(describe() + " " + why + "; " + stderrTail());
      }
      if (stdoutError != null) {
        throw new StreamingException(describe() + ": reading its stdout failed: " + stdoutError, stdoutError);
      }
      return Map.copyOf(counters);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for " + describe());
    }
  }

  /** {@link #finish}es the program, {@link #close}s it, and adds the counters it reported to the task's. */
  void finishInto(TaskContext context) throws IOException {
    Map<String, Long> reported = finish();
    close();
    reported.forEach((name, amount) -> context.counter(name).increment(amount));
  }

  private String stderrTail() {
    synchronized (stderrTail) {
      if (stderrTail.isEmpty()) {
        return "its stderr was empty";
      }
      return "the last lines of its stderr:\n" + stderrTail.stream().map(l -> "  " + l).collect(Collectors.joining("\n"));
    }
  }

  /**
   * Kills the program and its children, from any thread. By their handles, not
   * {@code Process.destroyForcibly}: that closes stdin first, which waits for the stdin pump's
   * lock, held for ever while it writes to a program that does not read; the signal alone breaks
   * that write.
   */
  private void destroy() {
    List<ProcessHandle> children = process.descendants().toList();
    process.toHandle().destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
  }

  /** Stops the program (and its children) if it still runs, and removes its working directory. */
  @Override
  public void close() {
    if (!finished) {
      destroy();
      stdinPump.interrupt();
      stdoutPump.interrupt();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      finished = true;
    }
    deleteDirectory();
  }

  private void deleteDirectory() {
    // Without following links: an archive's link goes, not the JVM's unpacked copy; a directory
    // the program made read-only goes too.
    if (!StreamingArchives.deleteTree(directory)) {
      log.warn("task {}: cannot remove the streaming working directory {}", attemptId, directory);
    }
    if (filesOf != null) {
      filesOf.releaseFiles();
      filesOf = null;
    }
  }

  private void pumpStdin() {
    OutputStream out = process.getOutputStream();
    try {
      while (true) {
        Chunk c = toStdin.take();
        if (c == END) {
          break;
        }
        if (!stdinBroken) {
          try {
            out.write(c.bytes(), 0, c.length());
          } catch (IOException e) {
            // The program stopped reading (it exited, or closed stdin, as `head` does): the rest of
            // the input is dropped, and its exit status decides, as in a shell pipeline.
            stdinBroken = true;
            log.debug("task {}: the {}'s stdin closed: {}", attemptId, role, e.toString());
          }
        }
      }
    } catch (InterruptedException e) {
      // close(): the program is being stopped.
    } finally {
      try {
        out.close();
      } catch (IOException e) {
        stdinBroken = true;
      }
    }
  }

  private void pumpStdout() {
    try (InputStream in = process.getInputStream()) {
      while (true) {
        byte[] b = new byte[CHUNK];
        int n = in.read(b);
        if (n < 0) {
          break;
        }
        fromStdout.put(new Chunk(b, n));
      }
    } catch (IOException e) {
      stdoutError = e;
    } catch (InterruptedException e) {
      return;
    }
    try {
      fromStdout.put(END);
    } catch (InterruptedException e) {
      // close(): nobody reads any more.
    }
  }

  private void pumpStderr() {
    var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), decoder))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("reporter:") && progress != null) {
          // As in Hadoop Streaming, reporting status or counters tells the task timeout the program lives.
          progress.progressedElsewhere();
        }
        if (line.startsWith("reporter:counter:")) {
          countFrom(line);
        } else if (line.startsWith("reporter:status:")) {
          log.info("task {}: {} status: {}", attemptId, role, line.substring("reporter:status:".length()));
        } else {
          log.info("task {}: {} stderr: {}", attemptId, role, line);
          synchronized (stderrTail) {
            if (stderrTail.size() == STDERR_LINES) {
              stderrTail.removeFirst();
            }
            stderrTail.addLast(line.length() <= STDERR_LINE_CHARS ? line : line.substring(0, STDERR_LINE_CHARS) + "...");
          }
        }
      }
    } catch (IOException e) {
      log.debug("task {}: reading the {}'s stderr failed: {}", attemptId, role, e.toString());
    }
  }

  /** {@code reporter:counter:GROUP,COUNTER,AMOUNT} adds AMOUNT to the counter {@code GROUP.COUNTER}. */
  private void countFrom(String line) {
    String[] parts = line.substring("reporter:counter:".length()).split(",", -1);
    if (parts.length == 3) {
      try {
        long amount = Long.parseLong(parts[2].trim());
        counters.merge(parts[0] + "." + parts[1], amount, Long::sum);
        return;
      } catch (NumberFormatException e) {
        // logged below
      }
    }
    log.warn("task {}: {} wrote a malformed counter line (want reporter:counter:GROUP,COUNTER,AMOUNT): {}",
        attemptId, role, line);
  }
}

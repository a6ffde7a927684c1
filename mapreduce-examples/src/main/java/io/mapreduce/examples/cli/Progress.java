package io.mapreduce.examples.cli;

import io.mapreduce.Job;
import io.mapreduce.JobProgress;
import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shows a running job's progress on stderr: a line redrawn every half second on a terminal, a log
 * line every five seconds otherwise.
 */
final class Progress {
  private final Job job;
  private final PrintWriter err;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;
  private boolean drawn;

  private Progress(Job job, PrintWriter err, boolean terminal) {
    this.job = job;
    this.err = err;
    this.terminal = terminal;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "mapreduce-progress");
      t.setDaemon(true);
      return t;
    });
  }

  static Progress start(Job job, PrintWriter err) {
    boolean terminal = System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
    Progress p = new Progress(job, err, terminal);
    long period = terminal ? 500 : 5000;
    p.timer.scheduleAtFixedRate(p::show, period, period, TimeUnit.MILLISECONDS);
    return p;
  }

  private synchronized void show() {
    if (job.isDone()) {
      return;
    }
    String line = describe(job.progress(), (System.nanoTime() - startNanos) / 1e9);
    if (terminal) {
      err.print("\r" + line + "\u001b[K");
      drawn = true;
    } else {
      err.println("mapreduce: " + line);
    }
    err.flush();
  }

  static String describe(JobProgress p, double seconds) {
    double rate = seconds > 0 ? p.inputRecordsRead() / seconds : 0;
    return String.format("map %3.0f%% reduce %3.0f%%  %d/%d maps  %d/%d reduces  %s records/s",
        100 * p.mapFraction(), 100 * p.reduceFraction(), p.mapsCompleted(), p.mapsTotal(),
        p.reducesCompleted(), p.reducesTotal(), human(rate));
  }

  private static String human(double n) {
    if (n >= 1e6) {
      return String.format("%.1fM", n / 1e6);
    }
    if (n >= 1e3) {
      return String.format("%.1fk", n / 1e3);
    }
    return String.format("%.0f", n);
  }

  synchronized void stop() {
    timer.shutdownNow();
    if (drawn) {
      err.print("\r\u001b[K");
      err.flush();
    }
  }
}

package io.mapreduce.netty.master;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The status page's pages as text, HTML and JSON, from a {@link StatusSnapshot}: pure functions,
 * no Netty, run on the page server's thread. Long lists (workers, jobs, a job's running attempts)
 * are shown {@link #PAGE_SIZE} rows at a time, so a page stays readable, and cheap to render, at
 * 2,000 workers. Every string from the master (job names, ids, failure messages) is escaped.
 */
final class StatusPages {
  /** Rows per page of a list. */
  static final int PAGE_SIZE = 100;
  /** A job id, as the page accepts it in a URL: what the client makes (a UUID) and tests use. */
  static final int MAX_JOB_ID_CHARS = 128;

  private StatusPages() {}

  /** A page of a list: which rows it holds, and the list's size. */
  record Page(int number, int total) {
    int pages() {
      return (total + PAGE_SIZE - 1) / PAGE_SIZE;
    }

    int from() {
      return (int) Math.min(total, (long) number * PAGE_SIZE);
    }

    int to() {
      return (int) Math.min(total, (long) number * PAGE_SIZE + PAGE_SIZE);
    }

    <T> List<T> of(List<T> rows) {
      return rows.subList(from(), to());
    }
  }

  /** Whether {@code id} can be a job id: 1 to 128 of letters, digits, '-', '_' and '.'. */
  static boolean isJobId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_JOB_ID_CHARS) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- HTML

  private static StringBuilder head(String title) {
    return new StringBuilder(8192)
        .append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"refresh\" content=\"2\">\n")
        .append("<title>").append(escapeHtml(title)).append("</title>\n")
        .append("<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:1em}")
        .append("th,td{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}")
        .append("td.n{text-align:right}td.e{white-space:pre-wrap;font-family:monospace}</style>\n")
        .append("</head>\n<body>\n");
  }

  /**
   * The master's page: the scheduler, a page of the workers and a page of the jobs (the pages
   * numbered from 0; one past the end shows no rows and a link back).
   */
  static String statusHtml(MasterState.Status s, int workersPage, int jobsPage) {
    StringBuilder b = head("MapReduce master").append("<h1>MapReduce master</h1>\n")
        .append("<p>Scheduler: ").append(escapeHtml(s.scheduler())).append("</p>\n");

    List<MasterState.Status.WorkerStatus> workers = orEmpty(s.workers());
    Page wp = new Page(workersPage, workers.size());
    b.append("<h2>Workers (").append(workers.size()).append(")</h2>\n");
    if (workers.isEmpty()) {
      b.append("<p>No workers.</p>\n");
    } else {
      pager(b, "workers", wp, "workersPage", workersPage, "jobsPage", jobsPage);
      b.append("<table>\n<tr><th>Worker</th><th>Shuffle address</th><th>Runs on</th><th>Slots</th><th>Running</th>")
          .append("<th>CPU load</th><th>Since heartbeat</th></tr>\n");
      for (MasterState.Status.WorkerStatus w : wp.of(workers)) {
        if (w == null) {
          continue;
        }
        b.append("<tr><td>").append(escapeHtml(w.id()))
            .append("</td><td>").append(escapeHtml(w.shuffleAddress()))
            .append("</td><td>").append(w.location() == null ? "" : escapeHtml(w.location()))
            .append("</td><td class=\"n\">").append(w.slots())
            .append("</td><td class=\"n\">").append(w.running())
            .append("</td><td class=\"n\">").append(cpuLoad(w.cpuLoad()))
            .append("</td><td class=\"n\">").append(seconds(w.millisSinceHeartbeat()))
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }

    List<MasterState.Status.JobStatus> jobs = orEmpty(s.jobs());
    Page jp = new Page(jobsPage, jobs.size());
    b.append("<h2>Jobs (").append(jobs.size()).append(")</h2>\n");
    if (jobs.isEmpty()) {
      b.append("<p>No jobs.</p>\n");
    } else {
      pager(b, "jobs", jp, "jobsPage", jobsPage, "workersPage", workersPage);
      b.append("<table>\n<tr><th>Job</th><th>Name</th><th>Phase</th><th>Maps</th><th>Reduces</th>")
          .append("<th>Failed attempts</th><th>Elapsed</th><th>Counters</th></tr>\n");
      for (MasterState.Status.JobStatus j : jp.of(jobs)) {
        if (j == null) {
          continue;
        }
        b.append("<tr><td>");
        if (isJobId(j.id())) {
          // Relative, so the page also works behind a proxy that serves it under a path.
          b.append("<a href=\"job/").append(j.id()).append("\">").append(j.id()).append("</a>");
        } else {
          b.append(escapeHtml(j.id()));
        }
        b.append("</td><td>").append(escapeHtml(j.name()))
            .append("</td><td>").append(escapeHtml(j.phase()))
            .append("</td><td class=\"n\">").append(progress(j.mapsDone(), j.mapsTotal()))
            .append("</td><td class=\"n\">").append(progress(j.reducesDone(), j.reducesTotal()))
            .append("</td><td class=\"n\">").append(j.failedAttempts())
            .append("</td><td class=\"n\">").append(seconds(j.elapsedMillis()))
            .append("</td><td>");
        counters(b, j.counters());
        b.append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    return b.append("</body>\n</html>\n").toString();
  }

  /**
   * One job's page: its counts and counters, a page of its running attempts (longest running
   * first: the stragglers) and its recent failed attempts with their errors.
   */
  static String jobHtml(JobView v, int runningPage) {
    MasterState.Status.JobStatus j = v.status();
    StringBuilder b = head("Job " + j.id()).append("<p><a href=\"../\">All workers and jobs</a></p>\n")
        .append("<h1>Job ").append(escapeHtml(j.id())).append("</h1>\n")
        .append("<table>\n<tr><th>Name</th><td>").append(escapeHtml(j.name()))
        .append("</td></tr>\n<tr><th>Phase</th><td>").append(escapeHtml(j.phase()))
        .append("</td></tr>\n<tr><th>Maps</th><td class=\"n\">").append(progress(j.mapsDone(), j.mapsTotal()))
        .append("</td></tr>\n<tr><th>Reduces</th><td class=\"n\">").append(progress(j.reducesDone(), j.reducesTotal()))
        .append("</td></tr>\n<tr><th>Failed attempts</th><td class=\"n\">").append(j.failedAttempts())
        .append("</td></tr>\n<tr><th>Elapsed</th><td class=\"n\">").append(seconds(j.elapsedMillis()))
        .append("</td></tr>\n<tr><th>Counters</th><td>");
    counters(b, j.counters());
    b.append("</td></tr>\n</table>\n");
    if (!v.attemptsKept()) {
      return b.append("<p>The master keeps the attempts of running jobs only.</p>\n</body>\n</html>\n").toString();
    }

    List<JobView.RunningAttempt> running = longestRunningFirst(v);
    Page rp = new Page(runningPage, running.size());
    b.append("<h2>Running attempts (").append(running.size()).append(")</h2>\n");
    if (running.isEmpty()) {
      b.append("<p>None.</p>\n");
    } else {
      pager(b, "running attempts", rp, "runningPage", runningPage, null, 0);
      b.append("<table>\n<tr><th>Task</th><th>Attempt</th><th>Worker</th><th>Running for</th></tr>\n");
      for (JobView.RunningAttempt a : rp.of(running)) {
        b.append("<tr><td>").append(a.task())
            .append("</td><td class=\"n\">").append(a.attempt())
            .append("</td><td>").append(escapeHtml(a.worker()))
            .append("</td><td class=\"n\">").append(seconds(millis(v.takenAtNanos() - a.startedAtNanos())))
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }

    List<JobView.FailedAttempt> failed = v.recentFailures();
    b.append("<h2>Recent failed attempts (").append(failed.size());
    if (failed.size() < j.failedAttempts()) {
      b.append(" latest of ").append(j.failedAttempts());
    }
    b.append(")</h2>\n");
    if (failed.isEmpty()) {
      b.append("<p>None.</p>\n");
    } else {
      b.append("<table>\n<tr><th>Task</th><th>Attempt</th><th>Worker</th><th>Failed</th><th>Where</th>")
          .append("<th>Error</th></tr>\n");
      for (JobView.FailedAttempt f : failed) {
        b.append("<tr><td>").append(f.task())
            .append("</td><td class=\"n\">").append(f.attempt())
            .append("</td><td>").append(escapeHtml(f.worker()))
            .append("</td><td class=\"n\">").append(seconds(millis(v.takenAtNanos() - f.failedAtNanos()))).append(" ago")
            .append("</td><td>").append(escapeHtml(f.position()))
            .append("</td><td class=\"e\">").append(escapeHtml(f.message()))
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    return b.append("</body>\n</html>\n").toString();
  }

  /**
   * "Rows 101-200 of 2000" and links to the previous and next pages, keeping the other list's
   * page ({@code otherParameter}, or none when null).
   */
  private static void pager(StringBuilder b, String what, Page p, String parameter, int page, String otherParameter,
      int otherPage) {
    if (p.pages() <= 1 && page == 0) {
      return;
    }
    b.append("<p>");
    if (p.from() < p.to()) {
      b.append("Rows ").append(p.from() + 1).append("&ndash;").append(p.to()).append(" of ").append(p.total());
    } else {
      b.append("No ").append(what).append(" on this page: there are ").append(p.total());
    }
    String other = otherParameter == null ? "" : "&amp;" + otherParameter + "=" + otherPage;
    if (page > 0) {
      // Past the end, "previous" is the last page.
      int previous = Math.min(page - 1, Math.max(0, p.pages() - 1));
      b.append(" <a href=\"?").append(parameter).append('=').append(previous).append(other)
          .append("\">&laquo; previous</a>");
    }
    if (page + 1 < p.pages()) {
      b.append(" <a href=\"?").append(parameter).append('=').append(page + 1).append(other)
          .append("\">next &raquo;</a>");
    }
    b.append("</p>\n");
  }

  private static void counters(StringBuilder b, Map<String, Long> counters) {
    String sep = "";
    for (Map.Entry<String, Long> c : sorted(counters).entrySet()) {
      b.append(sep).append(escapeHtml(c.getKey())).append(": ").append(c.getValue());
      sep = "<br>";
    }
  }

  /** Escapes text for an HTML element or a quoted attribute; null is shown as nothing. */
  static String escapeHtml(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static String progress(int done, int total) {
    if (total <= 0) {
      return done + "/" + total;
    }
    return done + "/" + total + " (" + (done * 100L / total) + "%)";
  }

  /** The master reports -1 until a worker's first heartbeat says its load. */
  private static String cpuLoad(double load) {
    return load < 0 || !Double.isFinite(load) ? "unknown" : String.format(Locale.ROOT, "%.2f", load);
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  private static long millis(long nanos) {
    return Math.max(0, nanos / 1_000_000);
  }

  /** The stragglers first: sorted here, off the state thread, which hands them over unsorted. */
  private static List<JobView.RunningAttempt> longestRunningFirst(JobView v) {
    List<JobView.RunningAttempt> sorted = new ArrayList<>(v.running());
    // Differences, not the readings themselves: nanoTime may read negative.
    sorted.sort(Comparator.comparingLong((JobView.RunningAttempt a) -> v.takenAtNanos() - a.startedAtNanos())
        .reversed());
    return sorted;
  }

  // ---------------------------------------------------------------- JSON

  /**
   * The master's page as JSON: {@code scheduler}, a page of {@code workers} and of {@code jobs} (as
   * on the HTML page), and {@code workersPage} and {@code jobsPage} saying which.
   */
  static String statusJson(MasterState.Status s, int workersPage, int jobsPage) {
    StringBuilder b = new StringBuilder(4096);
    b.append("{\"scheduler\":");
    jsonString(b, s.scheduler());
    List<MasterState.Status.WorkerStatus> workers = orEmpty(s.workers());
    Page wp = new Page(workersPage, workers.size());
    b.append(",\"workers\":[");
    String sep = "";
    for (MasterState.Status.WorkerStatus w : wp.of(workers)) {
      if (w == null) {
        continue;
      }
      b.append(sep).append("{\"id\":");
      jsonString(b, w.id());
      b.append(",\"shuffleAddress\":");
      jsonString(b, w.shuffleAddress());
      b.append(",\"location\":");
      jsonString(b, w.location());
      b.append(",\"slots\":").append(w.slots())
          .append(",\"running\":").append(w.running())
          .append(",\"cpuLoad\":");
      jsonNumber(b, w.cpuLoad());
      b.append(",\"millisSinceHeartbeat\":").append(w.millisSinceHeartbeat()).append('}');
      sep = ",";
    }
    List<MasterState.Status.JobStatus> jobs = orEmpty(s.jobs());
    Page jp = new Page(jobsPage, jobs.size());
    b.append("],\"jobs\":[");
    sep = "";
    for (MasterState.Status.JobStatus j : jp.of(jobs)) {
      if (j == null) {
        continue;
      }
      b.append(sep);
      jobFields(b, j);
      b.append('}');
      sep = ",";
    }
    b.append("],\"workersPage\":");
    page(b, wp);
    b.append(",\"jobsPage\":");
    page(b, jp);
    return b.append('}').toString();
  }

  /**
   * One job as JSON: the fields of its entry in {@code /api/status}, {@code attemptsKept}, a page of
   * its {@code running} attempts (longest running first) with {@code runningPage}, and its {@code
   * recentFailures} (newest first, at most {@code recentFailuresKept}).
   */
  static String jobJson(JobView v, int runningPage) {
    StringBuilder b = new StringBuilder(4096);
    jobFields(b, v.status());
    b.append(",\"attemptsKept\":").append(v.attemptsKept());
    List<JobView.RunningAttempt> running = longestRunningFirst(v);
    Page rp = new Page(runningPage, running.size());
    b.append(",\"running\":[");
    String sep = "";
    for (JobView.RunningAttempt a : rp.of(running)) {
      b.append(sep).append("{\"task\":");
      jsonString(b, a.task());
      b.append(",\"attempt\":").append(a.attempt()).append(",\"worker\":");
      jsonString(b, a.worker());
      b.append(",\"runningMillis\":").append(millis(v.takenAtNanos() - a.startedAtNanos())).append('}');
      sep = ",";
    }
    b.append("],\"runningPage\":");
    page(b, rp);
    b.append(",\"recentFailures\":[");
    sep = "";
    for (JobView.FailedAttempt f : v.recentFailures()) {
      b.append(sep).append("{\"task\":");
      jsonString(b, f.task());
      b.append(",\"attempt\":").append(f.attempt()).append(",\"worker\":");
      jsonString(b, f.worker());
      b.append(",\"millisAgo\":").append(millis(v.takenAtNanos() - f.failedAtNanos())).append(",\"position\":");
      jsonString(b, f.position());
      b.append(",\"message\":");
      jsonString(b, f.message());
      b.append('}');
      sep = ",";
    }
    b.append("],\"recentFailuresKept\":").append(RecentFailures.KEPT);
    return b.append('}').toString();
  }

  /** A job's fields, as {@code /api/status} lists them, in an object left open for the caller to close. */
  private static void jobFields(StringBuilder b, MasterState.Status.JobStatus j) {
    b.append("{\"id\":");
    jsonString(b, j.id());
    b.append(",\"name\":");
    jsonString(b, j.name());
    b.append(",\"phase\":");
    jsonString(b, j.phase());
    b.append(",\"maps\":{\"total\":").append(j.mapsTotal()).append(",\"done\":").append(j.mapsDone())
        .append("},\"reduces\":{\"total\":").append(j.reducesTotal()).append(",\"done\":").append(j.reducesDone())
        .append("},\"failedAttempts\":").append(j.failedAttempts())
        .append(",\"elapsedMillis\":").append(j.elapsedMillis())
        .append(",\"counters\":{");
    String sep = "";
    for (Map.Entry<String, Long> c : sorted(j.counters()).entrySet()) {
      b.append(sep);
      jsonString(b, c.getKey());
      b.append(':').append(c.getValue() == null ? "null" : c.getValue().toString());
      sep = ",";
    }
    b.append('}');
  }

  private static void page(StringBuilder b, Page p) {
    b.append("{\"page\":").append(p.number()).append(",\"pageSize\":").append(PAGE_SIZE)
        .append(",\"pages\":").append(p.pages()).append(",\"total\":").append(p.total()).append('}');
  }

  /** Appends a JSON string literal: quote, backslash and control characters escaped; null as null. */
  static void jsonString(StringBuilder b, String s) {
    if (s == null) {
      b.append("null");
      return;
    }
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append('"');
  }

  /** JSON has no NaN or infinity: those become null. */
  private static void jsonNumber(StringBuilder b, double d) {
    b.append(Double.isFinite(d) ? Double.toString(d) : "null");
  }

  /** Counters by name, so the page does not reorder itself on every refresh. */
  private static Map<String, Long> sorted(Map<String, Long> counters) {
    TreeMap<String, Long> sorted = new TreeMap<>();
    if (counters != null) {
      counters.forEach((k, v) -> sorted.put(k == null ? "" : k, v));
    }
    return sorted;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}

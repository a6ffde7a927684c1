package io.mapreduce.internal.engine;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The paper's skipping mode, for one task: counts the attempts that failed on each record, and
 * once two have failed on the same one, the next attempts skip it (when skipping is on). Records
 * are identified within the task: a map's by its line's byte offset, a reduce's by its group's
 * ordinal in the merged input, which are the same in every attempt. Used by both engines.
 */
public final class BadRecords {
  /** Attempts that must fail on a record before it is skipped. */
  public static final int FAILURES_BEFORE_SKIP = 2;

  private final boolean skipping;
  private final Map<Long, Integer> failures = new HashMap<>();
  private final Set<Long> skip = new HashSet<>();

  public BadRecords(boolean skipping) {
    this.skipping = skipping;
  }

  /** An attempt failed on a record (-1: not in a record). */
  public void failedAt(long record) {
    if (record >= 0 && failures.merge(record, 1, Integer::sum) >= FAILURES_BEFORE_SKIP && skipping) {
      skip.add(record);
    }
  }

  /** The records the next attempt skips. */
  public Set<Long> skip() {
    return Set.copyOf(skip);
  }
}

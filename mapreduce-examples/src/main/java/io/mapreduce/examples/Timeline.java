package io.mapreduce.examples;

import io.mapreduce.Descending;
import io.mapreduce.Emitter;
import io.mapreduce.MapReduceSpecification;
import io.mapreduce.Mapper;
import io.mapreduce.PairReducer;
import io.mapreduce.TaskContext;

/**
 * Each user's events in time order, by secondary sort. Input lines are {@code user,epochMillis,event}
 * (CSV); a first line of a file that starts with {@code user,} is a header and skipped, blank lines
 * are skipped, and any other line that is not three fields with a non-empty user and event and a
 * time in decimal is counted in the user counter {@value #MALFORMED} and skipped. Output: one line
 * per user, {@code user<TAB>event1,event2,...}, users in UTF-8 order in each file.
 *
 * <p>The key is {@code (user, time, event)} and the job groups by its first component
 * ({@code groupByPrefix(1)}): one {@code reduce} call gets all of a user's events, sorted by the
 * rest of the key, so the reducer holds nothing but the line it builds. Events at the same time
 * are ordered by the event's text (its UTF-8 bytes), which makes the output the same on every run
 * whatever the input's order. {@link #newestFirstBuilder()} reverses the time order with a second
 * key record whose time component is {@link Descending} (ties still by event, ascending): the
 * order is the key type's, so another order is another record.
 */
public final class Timeline {
  /** The user counter of malformed lines. */
  public static final String MALFORMED = "timeline.malformed";

  private Timeline() {}

  /** Events oldest first. */
  public static MapReduceSpecification.Builder<UserTime, String> builder() {
    return MapReduceSpecification.builder()
        .mapper(new OldestFirstMapper())
        .reducer(new EventsReducer<UserTime>())
        .groupByPrefix(1);
  }

  /** Events newest first. */
  public static MapReduceSpecification.Builder<NewestFirst, String> newestFirstBuilder() {
    return MapReduceSpecification.builder()
        .mapper(new NewestFirstMapper())
        .reducer(new EventsReducer<NewestFirst>())
        .groupByPrefix(1);
  }

  /** What the reducer needs of either key. */
  public interface UserKey {
    String user();
  }

  /** The key of oldest-first timelines: by user, then time, then event. */
  public record UserTime(String user, long time, String event) implements UserKey {}

  /** The key of newest-first timelines: by user, then time decreasing, then event. */
  public record NewestFirst(String user, @Descending long time, String event) implements UserKey {}

  /** A parsed line. */
  record Event(String user, long time, String event) {}

  /** Parses lines and counts the malformed ones; the subclasses make the key. */
  abstract static class EventMapper<K> extends Mapper<K, String> {
    private transient TaskContext.Counter malformed;

    @Override
    public void setup(TaskContext context) {
      malformed = context.counter(MALFORMED);
    }

    @Override
    public void map(long offset, String line, Emitter<K, String> emitter) {
      if (line.isBlank() || (offset == 0 && line.startsWith("user,"))) {
        return;
      }
      Event e = parse(line);
      if (e == null) {
        malformed.increment();
        return;
      }
      // The event is in the key for the order of ties, and the value for the reducer: reduce is
      // given the group's first key only.
      emitter.emit(key(e), e.event());
    }

    abstract K key(Event e);
  }

  /** {@code user,time,event}, or null. */
  static Event parse(String line) {
    int c1 = line.indexOf(',');
    int c2 = c1 < 0 ? -1 : line.indexOf(',', c1 + 1);
    if (c2 < 0 || line.indexOf(',', c2 + 1) >= 0 || c1 == 0 || c2 == line.length() - 1) {
      return null;
    }
    try {
      return new Event(line.substring(0, c1), Long.parseLong(line.substring(c1 + 1, c2)), line.substring(c2 + 1));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public static final class OldestFirstMapper extends EventMapper<UserTime> {
    @Override
    UserTime key(Event e) {
      return new UserTime(e.user(), e.time(), e.event());
    }
  }

  public static final class NewestFirstMapper extends EventMapper<NewestFirst> {
    @Override
    NewestFirst key(Event e) {
      return new NewestFirst(e.user(), e.time(), e.event());
    }
  }

  /** Writes {@code user<TAB>event1,event2,...}, the events in the order they arrive: the key's. */
  public static final class EventsReducer<K extends UserKey> extends PairReducer<K, String, String, String> {
    @Override
    public void reduce(K first, Iterable<String> events, Emitter<String, String> emitter) {
      StringBuilder line = new StringBuilder();
      for (String e : events) {
        if (line.length() > 0) {
          line.append(',');
        }
        line.append(e);
      }
      emitter.emit(first.user(), line.toString());
    }
  }
}

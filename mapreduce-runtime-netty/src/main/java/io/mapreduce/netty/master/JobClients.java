package io.mapreduce.netty.master;

import io.mapreduce.netty.protocol.Message;
import io.mapreduce.thirdparty.io.netty.channel.Channel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client connections that follow each job: the one that submitted it and any that watch it
 * (a client back after losing the master, or any other holder of the secret). Each hears the
 * job's progress and end; a watcher does not take them from the submitter, as it did when a job
 * had one connection. Thread-safe: added to by the network threads, written to by the state
 * thread.
 */
final class JobClients {
  private final Map<String, Set<Channel>> byJob = new ConcurrentHashMap<>();

  /** Makes {@code ch} the job's first client; false if the job has clients already (its id is in use). */
  boolean submitted(String jobId, Channel ch) {
    Set<Channel> one = ConcurrentHashMap.newKeySet();
    one.add(ch);
    return byJob.putIfAbsent(jobId, one) == null;
  }

  /** {@code ch} follows the job too. */
  void watch(String jobId, Channel ch) {
    byJob.compute(jobId, (id, chs) -> {
      Set<Channel> s = chs == null ? ConcurrentHashMap.newKeySet() : chs;
      s.add(ch);
      return s;
    });
  }

  /** Sends to every client of the job; after its end ({@code last}) it has none. */
  void send(String jobId, Message message, boolean last) {
    Set<Channel> chs = last ? byJob.remove(jobId) : byJob.get(jobId);
    if (chs != null) {
      chs.forEach(ch -> ch.writeAndFlush(message));
    }
  }

  /** A connection closed: it follows nothing any more. */
  void closed(Channel ch) {
    for (String jobId : byJob.keySet()) {
      byJob.computeIfPresent(jobId, (id, chs) -> {
        chs.remove(ch);
        return chs.isEmpty() ? null : chs;
      });
    }
  }

  void closeAll() {
    byJob.values().forEach(chs -> chs.forEach(Channel::close));
  }
}

package io.mapreduce;

/** What a running task may know about itself, and its user counters. */
public interface TaskContext {

  /** The job's id, unique per {@link MapReduce#exec} call. */
  String jobId();

  /** The task's id: {@code m-00003} for map task 3, {@code r-00001} for reduce task 1. */
  String taskId();

  /** The attempt number of this task, from 1. */
  int attempt();

  /** For a map task: the file its split belongs to, as the input listed it. For a reduce task: null. */
  String inputFile();

  /** The number of reduce tasks of the job: 0 for a map-only job, whose map output is its output. */
  int reduceTasks();

  /** A user counter by name, created at zero on first use; summed over the job's successful attempts. */
  Counter counter(String name);

  /**
   * Writes to a side output the job declared with
   * {@link MapReduceSpecification.Builder#sideOutput}: files {@code <name>-NNNNN} (plus the output
   * format's extension) beside the main output, one per task that writes to it, committed with the
   * task's own file and published with the job's output, or never. For reduce tasks, and map tasks
   * of a map-only job. Pairs emitted while reducing a key, under that key, come out in the job's key
   * order like the main output.
   *
   * @throws IllegalArgumentException when the job declared no side output of that name
   * @throws IllegalStateException in a map task of a job with reduce tasks
   */
  default <K, V> Emitter<K, V> sideOutput(String name) {
    throw new UnsupportedOperationException("this context has no side outputs");
  }

  /** A counter that a task increments. Not thread-safe: use it from the task's own thread. */
  interface Counter {
    void increment(long amount);

    default void increment() {
      increment(1);
    }
  }
}

package io.mapreduce.internal.engine;

/**
 * Asks whether an attempt may commit its output file. In this JVM every attempt may (one attempt
 * of a task runs at a time); on a cluster the master answers, and grants each task's commit to one
 * attempt at a time, so a slow attempt and its re-run never both publish (the lost and duplicated
 * outputs of speculative execution in Spark and Hive came from attempts that committed on their
 * own).
 */
@FunctionalInterface
public interface CommitGate {
  /**
   * Every attempt may commit: for the embedded engine, which runs one attempt of a task at a time,
   * so a file of the task that is already there was committed by an earlier attempt (one that
   * failed after committing some of its files, say) and stands for this one's.
   */
  CommitGate ALWAYS = new CommitGate() {
    @Override
    public boolean mayCommit() {
      return true;
    }

    @Override
    public boolean arbitrated() {
      return true;
    }
  };

  /** Blocks until the arbiter answers; false when another attempt commits this task. */
  boolean mayCommit() throws Exception;

  /**
   * Whether an arbiter granted the commit. Then a task file that is already there was published
   * by an earlier attempt the arbiter let commit, atomically, and it stands for this attempt's.
   */
  default boolean arbitrated() {
    return false;
  }
}

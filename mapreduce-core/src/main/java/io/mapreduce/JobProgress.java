package io.mapreduce;

/**
 * A point-in-time view of a running job, for progress displays.
 *
 * @param mapsTotal the number of map tasks (known once the inputs are split; zero before)
 * @param mapsCompleted map tasks that have succeeded
 * @param reducesTotal the number of reduce tasks
 * @param reducesCompleted reduce tasks that have succeeded
 * @param inputBytes the total size of the input files
 * @param inputBytesRead bytes consumed by map attempts so far (retried attempts count again)
 * @param inputRecordsRead lines read by map attempts so far (retried attempts count again)
 */
public record JobProgress(
    int mapsTotal,
    int mapsCompleted,
    int reducesTotal,
    int reducesCompleted,
    long inputBytes,
    long inputBytesRead,
    long inputRecordsRead) {

  /** The map phase's completion in [0, 1], by bytes read. */
  public double mapFraction() {
    if (mapsTotal > 0 && mapsCompleted == mapsTotal) {
      return 1.0;
    }
    return inputBytes <= 0 ? 0.0 : Math.min(1.0, (double) inputBytesRead / inputBytes);
  }

  /** The reduce phase's completion in [0, 1], by finished tasks. */
  public double reduceFraction() {
    return reducesTotal == 0 ? (mapFraction() >= 1.0 ? 1.0 : 0.0) : (double) reducesCompleted / reducesTotal;
  }
}

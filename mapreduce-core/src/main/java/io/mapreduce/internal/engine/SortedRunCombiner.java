package io.mapreduce.internal.engine;

/**
 * Marks a combiner that a map task runs only over whole sorted runs (each spill and each merge of
 * spills, one partition at a time from {@code setup} to {@code cleanup}), never on the combining
 * table, which hands the combiner one key at a time and expects its output at once. A streaming
 * combiner needs this: its program answers when it chooses. Its output must stay sorted and in
 * the partition, which the map task checks for every combiner.
 */
public interface SortedRunCombiner {}

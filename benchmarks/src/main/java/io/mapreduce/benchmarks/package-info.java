/**
 * Benchmarks: JMH benchmarks of the shuffle's byte layer, of key encoding, of the codecs and of
 * partitioning, and the tools of the end-to-end comparisons ({@code benchmarks/*.sh}): a
 * deterministic text generator and a plain single-threaded word count; and
 * {@link io.mapreduce.benchmarks.ShuffleFetchThroughput}, the cluster shuffle's fetch against raw
 * loopback TCP. (The Hadoop word count of
 * {@code wordcount-vs-hadoop.sh} is in {@code src/hadoop/java}, built only by the {@code hadoop}
 * profile.) See {@code BENCHMARKS.md} for how to run them. Uses mapreduce-core's internal classes on purpose, and JMH; nothing in the
 * library depends on this package.
 */
package io.mapreduce.benchmarks;

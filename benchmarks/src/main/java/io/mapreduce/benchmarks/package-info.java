/**
 * Benchmarks: JMH benchmarks of the shuffle's byte layer and of key encoding, and the tools of
 * the end-to-end word count comparison ({@code benchmarks/wordcount-vs-plain.sh}): a
 * deterministic text generator and a plain single-threaded word count. See {@code BENCHMARKS.md}
 * for how to run them. Uses mapreduce-core's internal classes on purpose, and JMH; nothing in the
 * library depends on this package.
 */
package io.mapreduce.benchmarks;

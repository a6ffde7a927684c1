/**
 * Hadoop-Streaming-compatible mappers, reducers and combiners: programs in any language, run
 * through {@code /bin/sh -c}, that read lines on stdin and write lines on stdout.
 * {@link io.mapreduce.lib.streaming.StreamingMapper} and
 * {@link io.mapreduce.lib.streaming.StreamingReducer} are ordinary {@code Mapper}s and
 * {@code Reducer}s over {@code byte[]} keys and values; {@code StreamingProcess} (package-private)
 * runs one program with its own pump threads. {@code KeyFieldBasedPartitioner} and
 * {@code KeyFieldBasedComparator} are Hadoop's key-field partitioning and ordering, the latter put
 * into the key bytes as sort keys. {@link io.mapreduce.lib.streaming.AggregateReducer} is Hadoop's
 * Aggregate package ({@code -reducer aggregate}), reducer and combiner in Java. Depends on the API and on two marker interfaces of
 * {@code internal.engine} ({@code LineBytesMapper}, {@code SortedRunCombiner}).
 */
package io.mapreduce.lib.streaming;

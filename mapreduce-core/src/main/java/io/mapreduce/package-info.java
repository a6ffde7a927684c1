/**
 * The public API: {@link io.mapreduce.Mapper}, {@link io.mapreduce.Reducer},
 * {@link io.mapreduce.MapReduceSpecification} and {@link io.mapreduce.MapReduce#exec}. Everything
 * under {@code io.mapreduce.internal} is implementation and may change without notice.
 */
package io.mapreduce;

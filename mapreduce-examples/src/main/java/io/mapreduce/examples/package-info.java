/**
 * The bundled jobs, written as a user of the library would: word count, the inverted index, grep
 * and sort; top words (two chained jobs), timelines (secondary sort), a join (side outputs) and
 * averages (typed output behind a combiner); each a builder with its mapper, reducer and
 * combiner. Depends on the public API only (and {@code io.mapreduce.lib}).
 */
package io.mapreduce.examples;

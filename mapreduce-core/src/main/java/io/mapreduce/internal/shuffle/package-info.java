/**
 * The shuffle's byte layer: the map-side sort buffer, run files (a sorted, partition-indexed data
 * file and its index), segment readers and the k-way merge. Works on encoded bytes only, never on
 * keys or values as objects; depends on the JDK and Guava.
 */
package io.mapreduce.internal.shuffle;

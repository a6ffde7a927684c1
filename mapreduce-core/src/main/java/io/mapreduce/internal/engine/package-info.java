/**
 * The embedded engine: the job driver with its retries and commit, map and reduce task attempts,
 * the map-side collector (combining tables, sort buffer halves, spill thread) and the merges.
 * Depends on the API, the SPI and the other internal packages; nothing depends on it but
 * {@link io.mapreduce.MapReduce}.
 */
package io.mapreduce.internal.engine;

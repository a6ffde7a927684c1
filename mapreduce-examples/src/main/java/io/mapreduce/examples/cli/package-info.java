/**
 * The command line ({@code bin/mapreduce}): picocli commands that parse strings into typed
 * specification settings, run a job with progress, and map outcomes to exit codes (0 success,
 * 1 job failed, 2 bad arguments).
 */
package io.mapreduce.examples.cli;

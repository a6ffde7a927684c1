/**
 * Helpers for users' tests: {@link io.mapreduce.testing.JobHarness} runs a job on records held in
 * memory through the embedded engine. Depends on the API and {@code format}.
 */
package io.mapreduce.testing;

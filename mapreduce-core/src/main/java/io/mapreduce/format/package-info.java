/**
 * Input and output formats: how files become records ({@link io.mapreduce.format.InputFormat},
 * {@link io.mapreduce.format.RecordReader}) and how output pairs become files
 * ({@link io.mapreduce.format.OutputFormat}, {@link io.mapreduce.format.RecordWriter}), with the
 * built-in formats behind their static methods and {@link io.mapreduce.format.Pairs} to read typed
 * output in an application. Depends on the SPI and {@code internal.io}; never on an engine.
 */
package io.mapreduce.format;

package io.mapreduce.internal.engine;

/**
 * Marks a mapper or reducer whose pairs, where they go straight to the job's output (a reducer's,
 * or a map-only job's mapper's), are whole output lines: the key is written alone, as the line,
 * and the value is ignored. The streaming classes use it to write a program's lines exactly as
 * printed (a line without a tab stays without one), while their values stay non-null.
 */
public interface LineOutput {}

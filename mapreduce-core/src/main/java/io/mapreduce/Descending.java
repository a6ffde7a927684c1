package io.mapreduce;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Sorts a component of a record key in decreasing order: with {@code record Event(String user,
 * @Descending long time)} as the key, each user's events reach the reducer newest first. The
 * other components keep their natural order. For a whole key in decreasing order, see
 * {@link MapReduceSpecification.Builder#sortDescending()}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Descending {}

/**
 * The {@code cluster} execution engine that {@code MapReduce.exec} finds with
 * {@code ServiceLoader}: ships the job's jars and the job to a master and follows it.
 */
package io.mapreduce.netty.client;

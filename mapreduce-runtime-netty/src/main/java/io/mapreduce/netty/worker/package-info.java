/**
 * The worker: registration and heartbeats, task slots running the core's map and reduce tasks,
 * one class loader per job, and the shuffle (serving map outputs zero-copy, fetching partitions).
 */
package io.mapreduce.netty.worker;

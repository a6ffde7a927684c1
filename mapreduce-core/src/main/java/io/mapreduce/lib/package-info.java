/** Ready-made building blocks for jobs, such as the sampling total-order partitioner. */
package io.mapreduce.lib;

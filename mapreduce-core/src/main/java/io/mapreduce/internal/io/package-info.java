/**
 * Input and output: the local {@link io.mapreduce.spi.Storage}, splits, the line reader (the line
 * rule at split boundaries lives here) and the text output format. Depends on the SPI only.
 */
package io.mapreduce.internal.io;

/**
 * Input and output: the local {@link io.mapreduce.spi.Storage}, splits, the line reader (the line
 * rule at split boundaries lives here), the text output format, and the pairs file (typed pairs in
 * the shuffle's encodings, splittable at any byte by its sync markers). Depends on the SPI; the
 * pairs file also on {@code internal.codec} and the varints of {@code internal.shuffle}.
 */
package io.mapreduce.internal.io;

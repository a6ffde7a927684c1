package io.mapreduce.netty.client;

import io.mapreduce.netty.protocol.Message;

/**
 * An exception thrown by user code on a worker, as it crossed the wire: its class name, message
 * and stack text (failures travel as data, never as serialized {@code Throwable}s). Prints as the
 * original would: {@code java.lang.IllegalStateException: bad record}.
 */
public final class RemoteException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String className;
  private final String remoteStackTrace;

  RemoteException(Message.Failure failure) {
    super(failure == null ? null : failure.message(), null, false, false);
    this.className = failure == null ? "unknown" : failure.className();
    this.remoteStackTrace = failure == null ? "" : failure.stackTrace();
  }

  /** The class of the exception on the worker. */
  public String className() {
    return className;
  }

  /** The stack trace as the worker printed it. */
  public String remoteStackTrace() {
    return remoteStackTrace;
  }

  @Override
  public String toString() {
    return getMessage() == null ? className : className + ": " + getMessage();
  }
}

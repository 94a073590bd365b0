package io.sonde.internal.client;

import io.sonde.proto.LogBatch;

/** Receives worker output relayed to this driver, on the client's own serial executor (it may block there). */
public interface LogRelay {
    void accept(LogBatch batch);

    /** A line about a worker that is printed as is, never folded (breakpoint notices). */
    void notice(String taskName, long pid, String nodeIp, String text);

    /** Prints what is still buffered; called when the driver shuts down. */
    void close();
}

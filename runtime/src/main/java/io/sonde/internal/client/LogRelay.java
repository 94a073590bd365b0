package io.sonde.internal.client;

import io.sonde.proto.LogBatch;

/** Receives worker output relayed to this driver, on the client's own serial executor (it may block there). */
public interface LogRelay {
    void accept(LogBatch batch);

    /** A line about a worker that is printed as is, never folded (breakpoint notices). */
    void notice(String taskName, long pid, String nodeIp, String text);

    /**
     * Holds the workers' lines ({@code true}, nested) or prints what it held and goes on
     * ({@code false}); see {@link io.sonde.spi.ClientContext#holdLogs}. By default it holds nothing.
     */
    default java.util.concurrent.CompletableFuture<Void> hold(boolean hold) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** Prints what is still buffered; called when the driver shuts down. */
    void close();
}

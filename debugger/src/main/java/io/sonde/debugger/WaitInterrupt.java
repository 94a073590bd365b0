package io.sonde.debugger;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C while the console waits for the stop that {@code remote} or {@code get} leads to: ends
 * the wait, not the process. While open, SIGINT interrupts the waiting thread instead of running
 * the handler it replaced (the JVM's, which exits); {@link #close} puts that handler back.
 *
 * <p>Lifecycle: opened and closed by the waiting thread around one wait. The handler runs on the
 * JVM's signal thread and only sets a flag and interrupts. Where SIGINT cannot be handled (the
 * JVM runs with {@code -Xrs}, or another platform), nothing changes and Ctrl-C acts as before.
 */
public final class WaitInterrupt implements AutoCloseable {
    private static final Signal INT = new Signal("INT");

    private final SignalHandler previous;
    private volatile boolean fired;

    private WaitInterrupt(Runnable onSignal) {
        SignalHandler replaced;
        try {
            replaced = Signal.handle(INT, signal -> {
                fired = true;
                onSignal.run();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException cannotHandle) {
            replaced = null;
        }
        this.previous = replaced;
    }

    /** Until {@link #close}, SIGINT interrupts {@code waiter}. */
    static WaitInterrupt onSigint(Thread waiter) {
        return new WaitInterrupt(waiter::interrupt);
    }

    /**
     * Until {@link #close}, SIGINT runs {@code action} (on the JVM's signal thread): the console
     * stops an evaluation running in the worker this way.
     */
    public static WaitInterrupt onSigint(Runnable action) {
        return new WaitInterrupt(action);
    }

    /** Whether SIGINT arrived during the wait. */
    boolean fired() {
        return fired;
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(INT, previous);
        }
        if (fired) {
            // a signal that came as the wait ended must not interrupt what the thread does next
            Thread.interrupted();
        }
    }
}

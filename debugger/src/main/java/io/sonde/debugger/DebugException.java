package io.sonde.debugger;

/**
 * A failure the person at the debugger can act on (an unknown variable, a breakpoint that is no
 * longer active, a worker that went away): the console prints its message and goes on.
 */
public class DebugException extends RuntimeException {
    public DebugException(String message) {
        super(message, null, false, false);
    }

    public DebugException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}

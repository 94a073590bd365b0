package io.sonde.debugger.compile;

/**
 * The compiled path cannot answer in this frame (no compiler, a local whose type javac cannot
 * see, a class of the JDK's own...): the caller falls back to Sonde's own evaluator and says so
 * in one line, the message.
 */
public final class CannotCompile extends RuntimeException {
    public CannotCompile(String message) {
        super(message, null, false, false);
    }
}

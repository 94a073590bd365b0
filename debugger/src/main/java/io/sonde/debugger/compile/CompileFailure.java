package io.sonde.debugger.compile;

import io.sonde.debugger.DebugException;

/**
 * javac refused the typed text: the message reads as javac's, with the typed text and a caret
 * under the place javac points at.
 */
public final class CompileFailure extends DebugException {
    public CompileFailure(String message) {
        super(message);
    }
}

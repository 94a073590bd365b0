package io.sonde.tooling;

import io.sonde.internal.serialization.RemoteExceptionCopy;

/**
 * Exceptions thrown in a worker as they reach the driver. One whose class could not be
 * serialized (it holds a non-serializable field, say) arrives as a stand-in with the same
 * message and stack trace; these methods tell the stand-in apart and name the class that was
 * thrown. Stateless and thread-safe.
 */
public final class RemoteExceptions {
    private RemoteExceptions() {
    }

    /** Whether {@code t} stands in for a remote exception that could not be serialized. */
    public static boolean isStandIn(Throwable t) {
        return t instanceof RemoteExceptionCopy;
    }

    /** The class that was thrown: the original's for a stand-in, else {@code t}'s own. */
    public static String className(Throwable t) {
        return t instanceof RemoteExceptionCopy c ? c.originalClassName() : t.getClass().getName();
    }
}

package io.sonde.profiler;

import io.sonde.spi.RuntimeFrames;

import java.util.Map;
import java.util.Optional;

/**
 * Finds a thread stopped at a breakpoint in this JVM from its stack: every stop of Sonde's
 * debugger (at {@code Sonde.breakpoint()}, a line breakpoint, a caught exception...) parks the
 * thread in the debugger's {@code BreakpointPark}, and {@code Sonde.breakpoint()} is on the stack
 * of the first kind. The profiler does not depend on the debugger, so it knows the park by name.
 * Stateless.
 */
final class BreakpointStops {
    /** The class of the debugger's park, and its method where a stopped thread waits. */
    static final String PARK_CLASS = "io.sonde.debugger.plugin.BreakpointPark";
    static final String PARK_METHOD = "park";

    private BreakpointStops() {
    }

    /** A stopped thread: its name and where the user's code stopped ({@code Tasks.java:12}). */
    record Stop(String thread, String where) {
    }

    /** The first thread of these stacks that is parked at a breakpoint. */
    static Optional<Stop> find(Map<Thread, StackTraceElement[]> stacks) {
        for (Map.Entry<Thread, StackTraceElement[]> e : stacks.entrySet()) {
            if (parked(e.getValue())) {
                return Optional.of(new Stop(e.getKey().getName(), where(e.getValue())));
            }
        }
        return Optional.empty();
    }

    static boolean parked(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            if (f.getClassName().equals(PARK_CLASS) && f.getMethodName().equals(PARK_METHOD)) {
                return true;
            }
        }
        return false;
    }

    /** The top frame that is neither Sonde's (runtime, debugger) nor the JDK's: where the task stopped. */
    private static String where(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            if (!sondes(f.getClassName()) && !f.getClassName().startsWith("java.")
                    && !f.getClassName().startsWith("jdk.")) {
                return (f.getFileName() == null ? f.getClassName() : f.getFileName()) + ":" + f.getLineNumber();
            }
        }
        return "an unknown line";
    }

    private static boolean sondes(String className) {
        if (className.startsWith("io.sonde.debugger.")) {
            return true;
        }
        for (String p : RuntimeFrames.PATTERNS) {
            if (p.endsWith("*") ? className.startsWith(p.substring(0, p.length() - 1)) : className.equals(p)) {
                return true;
            }
        }
        return false;
    }
}

package io.sonde.debugger.plugin;

import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.debugger.proto.StopReason;

/** The words a stop's reason is printed with, and the driver's notice of a stop. */
public final class StopReasons {
    private StopReasons() {
    }

    /** {@code breakpoint}, {@code line}, {@code exception}, {@code post-mortem}, {@code remote} or {@code get}. */
    public static String word(StopReason reason) {
        return switch (reason) {
            case LINE -> "line";
            case EXCEPTION -> "exception";
            case POST_MORTEM -> "post-mortem";
            case REMOTE -> "remote";
            case GET -> "get";
            default -> "breakpoint";
        };
    }

    /** What the driver's notice says of a stopped task: {@code breakpoint at Tasks.java:12}, and so on. */
    public static String describe(BreakpointInfo b) {
        String at = b.getFile() + (b.getLine() > 0 ? ":" + b.getLine() : "");
        return switch (b.getReason()) {
            case LINE -> "line breakpoint at " + at;
            case EXCEPTION -> "caught " + b.getException() + " at " + at;
            case POST_MORTEM -> "post-mortem: " + b.getException() + " at " + at;
            case REMOTE -> "remote: stopped before its first line, in " + at;
            case GET -> "get: the result of task " + b.getAwaitedTaskId() + " arrived at " + at;
            default -> "breakpoint at " + at;
        };
    }
}

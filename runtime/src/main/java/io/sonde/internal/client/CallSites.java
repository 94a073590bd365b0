package io.sonde.internal.client;

import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the program created an object: the line that called {@code Sonde.put} or submitted the
 * task, for {@code sonde memory}'s CALL_SITE column, as Ray's {@code RAY_record_ref_creation_sites}.
 *
 * <p>Off unless the process starts with {@code SONDE_RECORD_REF_CREATION_SITES=1}: walking the
 * stack on every put and submit costs microseconds a task loop should not pay for a column nobody
 * reads. The variable is read once, when the class loads.
 *
 * <p>The site is the first frame that is neither Sonde's ({@code io.sonde.*}) nor the JDK's
 * (which includes JShell's engine between the shell and a snippet): {@code Main.main(Main.java:12)},
 * or for a shell snippet its frame as the JVM names it, {@code REPL.$JShell$12.do_it$($JShell$12.java:3)}.
 * Thread-safe.
 */
public final class CallSites {
    /** The environment variable that turns recording on, with the value {@code 1}. */
    public static final String ENV = "SONDE_RECORD_REF_CREATION_SITES";

    private static final boolean RECORDING = "1".equals(System.getenv(ENV));
    private static final StackWalker WALKER = StackWalker.getInstance();
    /** Packages whose frames are the path to the program's line, not the line itself. */
    private static final String[] SKIPPED = {"io.sonde.", "java.", "javax.", "jdk.", "sun.", "com.sun."};

    private CallSites() {
    }

    /** Where the current thread's program called into Sonde; "" when recording is off or no frame is the program's. */
    public static String current() {
        if (!RECORDING) {
            return "";
        }
        return WALKER.walk(frames -> site(true, frames.map(StackWalker.StackFrame::toStackTraceElement)));
    }

    /**
     * Where the current thread's program called into Sonde, recording or not: for the rare calls
     * whose message names their caller ({@code Sonde.exitActor}, {@code terminate}); "" when no
     * frame is the program's.
     */
    public static String always() {
        return WALKER.walk(frames -> site(true, frames.map(StackWalker.StackFrame::toStackTraceElement)));
    }

    /**
     * The site in {@code stack} (innermost frame first) when {@code recording}; "" otherwise or
     * when every frame is Sonde's or the JDK's. What {@link #current} computes, given the flag and
     * the stack.
     */
    static String site(boolean recording, Stream<StackTraceElement> stack) {
        if (!recording) {
            return "";
        }
        Optional<StackTraceElement> first = stack.filter(f -> !skipped(f.getClassName())).findFirst();
        return first.map(CallSites::format).orElse("");
    }

    /**
     * {@code Main.main(Main.java:12)}: the frame without the class loader and module prefix
     * {@link StackTraceElement#toString} adds ({@code app//}), which says nothing about the line.
     */
    static String format(StackTraceElement f) {
        String where = f.getFileName() == null ? "Unknown Source"
                : f.getLineNumber() >= 0 ? f.getFileName() + ":" + f.getLineNumber() : f.getFileName();
        return f.getClassName() + "." + f.getMethodName() + "(" + where + ")";
    }

    private static boolean skipped(String className) {
        for (String p : SKIPPED) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}

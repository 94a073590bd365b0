package io.sonde.debugger.plugin;

import io.sonde.spi.RuntimeFrames;

import java.util.List;
import java.util.stream.Stream;

/**
 * Which frames are the user's. A parked task's stack holds Sonde's machinery above the frame that
 * called {@code Sonde.breakpoint()} ({@code BreakpointPark}, the debugger's plug-in, {@code TaskExecutor},
 * {@code SondeRuntime})
 * and below the task function ({@code FunctionInvoker}, the executor, {@code java.util.concurrent});
 * the debugger hides those, and the JDK's and the libraries' frames in between, so that the
 * user's frame is frame 0 on attach and stepping stays in the user's code. A driver stopped under
 * {@code sonde run} has the CLI below its {@code main} (in the shell, below the snippet), which it
 * hides too.
 */
public final class FrameFilter {
    /**
     * Class patterns (JDI class filter syntax: a prefix ending in {@code *}, or an exact name) that
     * are not the user's code. Steps carry them as class exclusion filters.
     */
    public static final List<String> EXCLUDED = Stream.of(
            List.of("java.*", "javax.*", "jdk.*", "sun.*", "com.sun.*"),
            RuntimeFrames.PATTERNS,
            List.of("io.sonde.debugger.plugin.*", "io.grpc.*", "com.google.protobuf.*"),
            // below a driver's main under `sonde run`, or a snippet in the shell: the CLI that called it
            List.of("io.sonde.shell.run.*", "io.sonde.shell.repl.*", "io.sonde.cli.SondeMain", "io.sonde.cli.RunCommand",
                    "io.sonde.cli.ShellCommand", "picocli.*"))
            .flatMap(List::stream).toList();

    private FrameFilter() {
    }

    /** Whether code of this class is the user's: not Sonde's, the JDK's, gRPC's, nor a lambda's hidden class. */
    public static boolean isUserClass(String className) {
        if (className.contains("$$Lambda") || className.indexOf('/') >= 0) {
            return false; // hidden classes of lambdas and method references: glue without source
        }
        for (String pattern : EXCLUDED) {
            if (pattern.endsWith("*")
                    ? className.startsWith(pattern.substring(0, pattern.length() - 1))
                    : className.equals(pattern)) {
                return false;
            }
        }
        return true;
    }
}

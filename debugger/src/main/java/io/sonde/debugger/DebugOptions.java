package io.sonde.debugger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a debugger console.
 *
 * @param sourcepath     directories searched for source files, in order
 * @param echoInput      print each line read after its prompt: for piped input, so the transcript
 *                       reads like a typed session
 * @param attachTimeout  how long to wait for a worker's JDWP agent to accept and for the parked
 *                       thread to stop
 * @param sourceProvider source of code that has no file (the shell's snippets), asked before the
 *                       source path; null for none
 * @param jdwpPort       -1: a chosen stop opens the {@code (sdb)} console; else the loopback port
 *                       (0: any free one) on which a chosen stop waits for one JDWP debugger of the
 *                       user's (an IDE), relayed to its worker ({@code sonde debug --jdwp-port})
 */
public record DebugOptions(List<Path> sourcepath, boolean echoInput, Duration attachTimeout,
                           SourceProvider sourceProvider, int jdwpPort) {
    public DebugOptions {
        sourcepath = List.copyOf(sourcepath);
        if (jdwpPort < -1 || jdwpPort > 65535) {
            throw new IllegalArgumentException("The JDWP port must be 0 to 65535 (0: any free port), not " + jdwpPort + ".");
        }
    }

    public DebugOptions(List<Path> sourcepath, boolean echoInput, Duration attachTimeout,
                        SourceProvider sourceProvider) {
        this(sourcepath, echoInput, attachTimeout, sourceProvider, -1);
    }

    /** Without a source provider: every frame's source is looked up under {@code sourcepath}. */
    public DebugOptions(List<Path> sourcepath, boolean echoInput, Duration attachTimeout) {
        this(sourcepath, echoInput, attachTimeout, null);
    }

    /** The default source path, no echo, 10 s to attach. */
    public static DebugOptions defaults() {
        return new DebugOptions(SourceLocator.defaultRoots(), false, Duration.ofSeconds(10));
    }

    public DebugOptions withSourcepath(List<Path> roots) {
        return new DebugOptions(roots, echoInput, attachTimeout, sourceProvider, jdwpPort);
    }

    public DebugOptions withEchoInput(boolean echo) {
        return new DebugOptions(sourcepath, echo, attachTimeout, sourceProvider, jdwpPort);
    }

    public DebugOptions withSourceProvider(SourceProvider provider) {
        return new DebugOptions(sourcepath, echoInput, attachTimeout, provider, jdwpPort);
    }

    /** A chosen stop waits on this loopback port (0: any free one) for an IDE's debugger instead of opening the console. */
    public DebugOptions withJdwpPort(int port) {
        return new DebugOptions(sourcepath, echoInput, attachTimeout, sourceProvider, port);
    }
}

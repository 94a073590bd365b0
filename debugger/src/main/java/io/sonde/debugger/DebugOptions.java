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
 */
public record DebugOptions(List<Path> sourcepath, boolean echoInput, Duration attachTimeout,
                           SourceProvider sourceProvider) {
    public DebugOptions {
        sourcepath = List.copyOf(sourcepath);
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
        return new DebugOptions(roots, echoInput, attachTimeout, sourceProvider);
    }

    public DebugOptions withEchoInput(boolean echo) {
        return new DebugOptions(sourcepath, echo, attachTimeout, sourceProvider);
    }

    public DebugOptions withSourceProvider(SourceProvider provider) {
        return new DebugOptions(sourcepath, echoInput, attachTimeout, provider);
    }
}

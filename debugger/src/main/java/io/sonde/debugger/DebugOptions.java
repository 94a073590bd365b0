package io.sonde.debugger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a debugger console.
 *
 * @param sourcepath   directories searched for source files, in order
 * @param echoInput    print each line read after its prompt: for piped input, so the transcript
 *                     reads like a typed session
 * @param attachTimeout how long to wait for a worker's JDWP agent to accept and for the parked
 *                     thread to stop
 */
public record DebugOptions(List<Path> sourcepath, boolean echoInput, Duration attachTimeout) {
    public DebugOptions {
        sourcepath = List.copyOf(sourcepath);
    }

    /** The default source path, no echo, 10 s to attach. */
    public static DebugOptions defaults() {
        return new DebugOptions(SourceLocator.defaultRoots(), false, Duration.ofSeconds(10));
    }

    public DebugOptions withSourcepath(List<Path> roots) {
        return new DebugOptions(roots, echoInput, attachTimeout);
    }

    public DebugOptions withEchoInput(boolean echo) {
        return new DebugOptions(sourcepath, echo, attachTimeout);
    }
}

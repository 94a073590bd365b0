package io.sonde.internal.node.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Resident memory of a process, read from /proc (0 where /proc is not available). */
public final class Rss {
    private static final long PAGE = 4096;

    private Rss() {
    }

    public static long of(long pid) {
        try {
            List<String> statm = List.of(Files.readString(Path.of("/proc", Long.toString(pid), "statm")).trim().split(" "));
            return Long.parseLong(statm.get(1)) * PAGE;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}

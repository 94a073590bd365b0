package io.sonde.internal.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The directory of one running cluster: {@code <root>/session_<time>_<pid>/} with {@code logs/}
 * inside, and {@code <root>/session_latest} pointing at the newest; {@link #root()} is usually
 * {@code $TMPDIR/sonde}.
 */
public final class SessionDir {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm-ss_SSS");

    private SessionDir() {
    }

    /**
     * Where sessions and the head's address file live: the system property {@code sonde.root} if
     * set (so tests and side-by-side clusters do not find each other's head), else
     * {@code $TMPDIR/sonde}, else {@code <java.io.tmpdir>/sonde}.
     */
    public static Path root() {
        String root = System.getProperty("sonde.root");
        if (root != null && !root.isBlank()) {
            return Path.of(root);
        }
        String tmp = System.getenv("TMPDIR");
        if (tmp == null || tmp.isBlank()) {
            tmp = System.getProperty("java.io.tmpdir");
        }
        return Path.of(tmp, "sonde");
    }

    public static Path create() {
        Path root = root();
        Path dir = root.resolve("session_" + LocalDateTime.now().format(TIME) + "_" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(dir.resolve("logs"));
            Path link = root.resolve("session_latest");
            Path tmpLink = root.resolve(".session_latest." + ProcessHandle.current().pid());
            Files.deleteIfExists(tmpLink);
            Files.createSymbolicLink(tmpLink, dir.getFileName());
            Files.move(tmpLink, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (UnsupportedOperationException e) {
            // no symbolic links on this file system: the session still works, only the shortcut is missing
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the session directory " + dir + ": " + e.getMessage()
                    + "; set TMPDIR to a writable directory", e);
        }
        return dir;
    }
}

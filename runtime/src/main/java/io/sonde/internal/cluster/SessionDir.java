package io.sonde.internal.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The directory of one running cluster: {@code $TMPDIR/sonde/session_<time>_<pid>/} with
 * {@code logs/} inside, and {@code $TMPDIR/sonde/session_latest} pointing at the newest.
 */
public final class SessionDir {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm-ss_SSS");

    private SessionDir() {
    }

    /** {@code $TMPDIR/sonde}, where sessions and the head's address file live. */
    public static Path root() {
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

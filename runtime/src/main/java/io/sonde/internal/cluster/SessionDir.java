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

    /** The file in a session directory that holds the address of the node serving it. */
    static final String ADDRESS_FILE = "node_address";

    /** A cluster that runs in some process and says where it answers: its session directory's pid and address. */
    public record Running(long pid, String address, Path sessionDir) {
    }

    /** Records where the session's node answers, so that `sonde debug` and `sonde status` find it. */
    static void writeAddress(Path sessionDir, String address) {
        try {
            Files.writeString(sessionDir.resolve(ADDRESS_FILE), address + "\n");
        } catch (IOException e) {
            // only the lookup by other commands is lost; they can still be given --address
        }
    }

    static void removeAddress(Path sessionDir) {
        try {
            Files.deleteIfExists(sessionDir.resolve(ADDRESS_FILE));
        } catch (IOException ignored) {
            // a stale file names a dead pid, which readers skip
        }
    }

    /**
     * The clusters under {@link #root()} whose process is alive: every Sonde program that started a
     * cluster of its own ({@code sonde run}, {@code sonde shell}, a program's {@code Sonde.init()},
     * a head), newest first.
     */
    public static java.util.List<Running> running() {
        java.util.List<Running> out = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> dirs = Files.list(root())) {
            for (Path d : (Iterable<Path>) dirs.sorted(java.util.Comparator.reverseOrder())::iterator) {
                String name = d.getFileName().toString();
                Path file = d.resolve(ADDRESS_FILE);
                if (!name.startsWith("session_2") || !Files.isRegularFile(file)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(name.substring(name.lastIndexOf('_') + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    out.add(new Running(pid, Files.readString(file).trim(), d));
                }
            }
        } catch (IOException e) {
            // no root yet: no clusters
        }
        return out;
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

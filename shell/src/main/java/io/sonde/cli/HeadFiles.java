package io.sonde.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The files through which the head daemon makes itself findable, all directly under
 * {@code SessionDir.root()}: {@code head_address} ({@code sonde://127.0.0.1:PORT}), {@code head.pid}
 * and {@code head.out} (the daemon's stdout and stderr, also linked into its session directory).
 *
 * <p>The daemon writes the pid before the address, so whoever sees the address also finds the pid;
 * each is written to a temporary file and renamed, so a reader never sees half a file.
 */
final class HeadFiles {
    /** A JVM option that marks a head daemon's process. */
    static final String HEAD_MARKER = "-Dsonde.head=true";

    private final Path root;

    HeadFiles(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path addressFile() {
        return root.resolve("head_address");
    }

    Path pidFile() {
        return root.resolve("head.pid");
    }

    Path outFile() {
        return root.resolve("head.out");
    }

    Optional<String> address() {
        return read(addressFile());
    }

    OptionalLong pid() {
        Optional<String> text = read(pidFile());
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text.get()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * The head process named by the pid file, if it is alive and really is a head: pids are reused,
     * and a stale file must not lead {@code sonde stop --force} to kill an unrelated process.
     */
    Optional<ProcessHandle> liveDaemon() {
        OptionalLong pid = pid();
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid.getAsLong())
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(HEAD_MARKER)).orElse(false));
    }

    void write(String address, long pid) {
        try {
            Files.createDirectories(root);
            writeAtomically(pidFile(), Long.toString(pid));
            writeAtomically(addressFile(), address);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + addressFile() + ": " + e.getMessage(), e);
        }
    }

    /** Removes the address and pid files unless they already describe another head. */
    void removeIfOwnedBy(long pid) {
        OptionalLong owner = pid();
        if (owner.isEmpty() || owner.getAsLong() == pid) {
            remove();
        }
    }

    void remove() {
        try {
            Files.deleteIfExists(addressFile());
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + addressFile() + ": " + e.getMessage(), e);
        }
    }

    private static Optional<String> read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid());
        Files.writeString(tmp, content + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

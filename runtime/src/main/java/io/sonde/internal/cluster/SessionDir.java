package io.sonde.internal.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The directory of one running cluster: {@code <root>/session_<time>_<pid>/} with {@code logs/}
 * inside, and {@code <root>/session_latest} pointing at the newest; {@link #root()} is the user's
 * own ({@code $XDG_RUNTIME_DIR/sonde} or {@code $TMPDIR/sonde-UID}). The root and every session
 * directory are mode 0700, so what is inside (logs, the auth token, the result journals) is the
 * user's alone.
 */
public final class SessionDir {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm-ss_SSS");

    private SessionDir() {
    }

    /**
     * Where sessions and the head's address file live, private to the user: the system property
     * {@code sonde.root} if set (so tests and side-by-side clusters do not find each other's head),
     * else {@code $XDG_RUNTIME_DIR/sonde} when the session has one, else {@code $TMPDIR/sonde-UID}
     * (else {@code <java.io.tmpdir>/sonde-UID}). Created mode 0700 ({@link #create}): another user
     * can neither list the clusters nor read their logs and tokens.
     */
    public static Path root() {
        String root = System.getProperty("sonde.root");
        if (root != null && !root.isBlank()) {
            return Path.of(root);
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))
                && Files.isWritable(Path.of(runtime))) {
            return Path.of(runtime, "sonde");
        }
        String tmp = System.getenv("TMPDIR");
        if (tmp == null || tmp.isBlank()) {
            tmp = System.getProperty("java.io.tmpdir");
        }
        return Path.of(tmp, "sonde-" + uid());
    }

    /** This process's user id (the owner of /proc/self), or its user name where there is no /proc. */
    static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return System.getProperty("user.name", "user");
        }
    }

    /**
     * Creates the root, mode 0700, or checks the one there: it must belong to this user (a root
     * another user made first would let them read everything in it) and is made private again if
     * its mode is wider.
     */
    static void ensurePrivateRoot(Path root) throws IOException {
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(root.getParent());
                Files.createDirectory(root, PosixFilePermissions.asFileAttribute(owner));
            } catch (FileAlreadyExistsException raced) {
                // made by a cluster starting beside this one: checked below
            }
        }
        Object rootOwner = Files.getAttribute(root, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (!String.valueOf(rootOwner).equals(uid()) || Files.isSymbolicLink(root)) {
            throw new IOException(root + " belongs to another user (uid " + rootOwner + "), or is a link: Sonde"
                    + " keeps its sessions, logs and auth tokens there and will not use it. Remove it, or set"
                    + " TMPDIR to a directory of your own");
        }
        if (!Files.getPosixFilePermissions(root).equals(owner)) {
            Files.setPosixFilePermissions(root, owner);
        }
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

    /** Sessions kept under the root: {@code SONDE_KEEP_SESSIONS}, default {@value #KEEP_SESSIONS}. */
    static final int KEEP_SESSIONS = 20;

    static int keptSessions() {
        String v = System.getenv("SONDE_KEEP_SESSIONS");
        try {
            return v == null || v.isBlank() ? KEEP_SESSIONS : Math.max(1, Integer.parseInt(v.strip()));
        } catch (NumberFormatException e) {
            System.err.println("sonde: SONDE_KEEP_SESSIONS=" + v + " is not a number; keeping the last "
                    + KEEP_SESSIONS + " sessions");
            return KEEP_SESSIONS;
        }
    }

    /**
     * Removes the oldest session directories beyond the newest {@code keep}, so that the root does
     * not fill the disk; the session just made and those whose process still runs are never removed.
     */
    static void prune(Path root, Path current, int keep) {
        java.util.List<Path> sessions = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> dirs = Files.list(root)) {
            dirs.filter(d -> d.getFileName().toString().startsWith("session_2") && Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS))
                    .sorted(java.util.Comparator.reverseOrder()).forEach(sessions::add);
        } catch (IOException e) {
            return;
        }
        for (int i = keep; i < sessions.size(); i++) {
            Path d = sessions.get(i);
            if (d.equals(current) || alive(d)) {
                continue;
            }
            try (java.util.stream.Stream<Path> all = Files.walk(d)) {
                for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException | UncheckedIOException e) {
                // left for the next cluster to try again
            }
        }
    }

    private static boolean alive(Path session) {
        String name = session.getFileName().toString();
        try {
            long pid = Long.parseLong(name.substring(name.lastIndexOf('_') + 1));
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    public static Path create() {
        Path root = root();
        Path dir = null;
        try {
            if (System.getProperty("sonde.root") == null) {
                ensurePrivateRoot(root);
            }
            Files.createDirectories(root);
            FileAttribute<Set<PosixFilePermission>> owner =
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            while (dir == null) {
                Path d = root.resolve("session_" + LocalDateTime.now().format(TIME) + "_" + ProcessHandle.current().pid());
                try {
                    Files.createDirectory(d, owner);
                    dir = d;
                } catch (FileAlreadyExistsException sameMillisecond) {
                    Thread.onSpinWait(); // another cluster of this process, made this millisecond: take the next
                }
            }
            Files.createDirectory(dir.resolve("logs"), owner);
            link(root, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a session directory under " + root + ": " + e.getMessage()
                    + (e.getMessage() != null && e.getMessage().contains("belongs to another user") ? ""
                    : "; set TMPDIR to a writable directory"), e);
        }
        prune(root, dir, keptSessions());
        return dir;
    }

    /** Points {@code session_latest} at the session, atomically. */
    private static void link(Path root, Path dir) throws IOException {
        try {
            Path link = root.resolve("session_latest");
            Path tmpLink = root.resolve(".session_latest." + ProcessHandle.current().pid());
            Files.deleteIfExists(tmpLink);
            Files.createSymbolicLink(tmpLink, dir.getFileName());
            Files.move(tmpLink, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (UnsupportedOperationException e) {
            // no symbolic links on this file system: the session still works, only the shortcut is missing
        }
    }
}

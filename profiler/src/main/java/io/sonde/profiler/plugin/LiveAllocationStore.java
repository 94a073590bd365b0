package io.sonde.profiler.plugin;

import io.sonde.profiler.proto.LiveAllocations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The latest live-allocation profile of each worker of the node, as {@code sonde memory --by-name}
 * sums it by allocating method and by allocated class: one file per worker,
 * {@code <session>/profiler/live-allocations/<worker id>.pb} (a {@link LiveAllocations} message),
 * replaced whole by each newer profile.
 *
 * <pre>
 *   sonde profile W --event alloc --live ─▶ ProfileResult.live ─▶ save(W)
 *   any other recorder of live allocations (it holds this store) ─▶ save(W)
 *   sonde memory --by-name ─▶ latest(W) of every live worker;  W exits ─▶ forget(W)
 * </pre>
 *
 * <h2>Threads</h2>
 * Its methods touch only the files, each written to a temporary file and moved into place, so a
 * reader never sees half of one; the node's profiler calls them on its own serial thread.
 */
public final class LiveAllocationStore {
    /** The store's directory under the session's {@code profiler/}. */
    public static final String DIRECTORY = "live-allocations";

    private final Path dir;

    LiveAllocationStore(Path dir) {
        this.dir = dir;
    }

    /** Where the profiles are. */
    public Path directory() {
        return dir;
    }

    /** Keeps {@code live} as the worker's latest live-allocation profile. */
    public void save(String workerId, LiveAllocations live) {
        Path file = file(workerId);
        try {
            Files.createDirectories(dir);
            Path part = Files.createTempFile(dir, workerId, ".part");
            Files.write(part, live.toByteArray());
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the live-allocation profile of worker " + workerId + " in "
                    + file + ": " + e.getMessage(), e);
        }
    }

    /** The worker's latest live-allocation profile, if one was kept; empty also when its file cannot be read. */
    public Optional<LiveAllocations> latest(String workerId) {
        try {
            return Optional.of(LiveAllocations.parseFrom(Files.readAllBytes(file(workerId))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            System.err.println("sonde profiler: the live-allocation profile of worker " + workerId + " in "
                    + file(workerId) + " cannot be read, and is left out: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The worker exited: its profile no longer describes a process. */
    public void forget(String workerId) {
        try {
            Files.deleteIfExists(file(workerId));
        } catch (IOException e) {
            System.err.println("sonde profiler: cannot delete " + file(workerId) + ": " + e.getMessage());
        }
    }

    private Path file(String workerId) {
        if (!workerId.matches("[\\w.-]+")) {
            throw new IllegalArgumentException("not a worker id: '" + workerId + "'");
        }
        return dir.resolve(workerId + ".pb");
    }
}

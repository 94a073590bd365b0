package io.sonde.internal.node.object;

import io.sonde.internal.node.memory.Bytes;
import io.sonde.internal.serialization.ArenaMapping;
import io.sonde.proto.ObjectStoreStats;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The node's shared-memory object store: the bytes of large values, one file per object in a
 * directory of {@code /dev/shm} (memory-backed), written and read by the node's clients
 * themselves. The node manager's heap never holds them; this class only keeps the books: room,
 * who writes what, what is sealed, what is spilled.
 *
 * <pre>
 *   client: ReserveSpace(id, size) ──▶ reserve ── room? ──▶ SpaceReserved ──▶ client writes
 *                                        │ no: spill the largest sealed objects, then grant   {@code <id>.<client>.tmp},
 *                                        ▼ (writers wait: back-pressure)                      renames it {@code <id>}
 *   Put / TaskDone (shared_size) ──▶ {@link #sealed} ── released by the owner ──▶ {@link #free}: unlink
 * </pre>
 *
 * <p>A reader opens {@code <dir>/<id>}, else {@code <spill>/<id>}: a spill copies the object to
 * the spill directory and renames it there before it unlinks the shared-memory file, so a reader
 * always finds one of the two while the object lives. A writer that dies before its rename leaves
 * only its {@code .tmp} file, which {@link #clientClosed} deletes with its reservation: no one ever
 * sees a partial object.
 *
 * <p>Thread-safe. Its own monitor guards its books; file work (spills, unlinks, directory scans)
 * runs on its own thread, and answers to writers run after the monitor is let go, so it never
 * calls out while holding it. The node manager may call it under its lock (node, then store).
 *
 * @param <C> the node's clients, compared by identity
 */
public final class SharedMemoryStore<C> implements AutoCloseable {
    /** An object's life in the store. */
    private enum State { RESERVED, SEALED, SPILLING, SPILLED }

    private static final class Obj<C> {
        final String id;
        /** The object's bytes. */
        long size;
        /** The room it takes: its file's length, which a recycled file may make larger than the object. */
        long fileSize;
        /** Written over a recycled file. */
        boolean recycled;
        /** A reader holds a ByteBuffer view of its file: once freed, the file is unlinked, never recycled. */
        boolean viewed;
        State state = State.RESERVED;
        /** Who writes it while RESERVED; null once sealed. */
        C writer;
        final String jobId;
        /** Freed while its spill was running: the spill deletes what it wrote. */
        boolean freed;
        /** Where its region of the arena starts, or -1: it is a file of its own. */
        long offset = -1;
        /** Its region's generation (see {@link ArenaMapping}); readers may have seen it once sealed. */
        long generation;
        /** An arena object that was written again as a file (a second attempt of its task): both go when it is freed. */
        boolean alsoFile;
        /** Its writer's connection ended mid-write; its worker's journal may still seal it ({@link #resultsReplayed}). */
        String orphanOf;

        Obj(String id, long size, C writer, String jobId) {
            this.id = id;
            this.size = size;
            this.fileSize = size;
            this.writer = writer;
            this.jobId = jobId;
        }
    }

    /** A writer waiting for room. */
    private record Waiter<C>(C client, String objectId, long size, String jobId, boolean mayRecycle,
                             boolean arena, Consumer<Grant> reply) {
    }

    /**
     * The answer to a writer: {@code error} null when it has room; {@code recycled}, when not null,
     * the file it writes over; {@code arenaOffset}, when not -1, the region of the arena it writes,
     * with its {@code generation}. A writer refused because the store is full gets in
     * {@code holders} the ids of the largest objects that fill it, for its message to say where
     * they were created.
     */
    public record Grant(String error, String recycled, long arenaOffset, long generation, List<String> holders) {
        static final Grant ROOM = new Grant(null, null, -1, 0, List.of());

        static Grant refused(String why) {
            return new Grant(why, null, -1, 0, List.of());
        }
    }

    /** The arena's file, in {@link #dir}: regions of it hold objects of known size up to {@link ArenaMapping#CHUNK}. */
    static final String ARENA_FILE = ".arena";
    /** An arena tail idle this long, past what is in use, goes back to the system. */
    private long trimAfterNanos = TimeUnit.SECONDS.toNanos(10);
    /** ... when it is at least this large (or a quarter of the arena). */
    static final long TRIM_AT_LEAST = 16L << 20;
    /**
     * The arena's first pages that stay in memory once touched, idle or not (a quarter of the
     * arena, at most this): a driver's next puts write pages already there instead of pages the
     * system must find and zero first, which cost 3 to 10 times a copy. They go back too when the
     * node's memory is short ({@link #giveBackIdle}).
     */
    static final long WARM_AT_MOST = 1L << 30;
    private long warmFloor;

    private final ArenaSpace arena;
    private final ArenaMapping arenaMapping;
    /** Generations: a random start, so a word of a former object's bytes hardly ever looks like one. */
    private long generations = (new java.util.Random().nextLong() & 0x7fff_ffff_0000_0000L) | 1;
    private long lastTake = System.nanoTime();
    /** Workers whose journal was read before their connection's end was seen. */
    private final java.util.Set<String> replayed = new java.util.HashSet<>();

    /** Freed files kept for writers to write over, by name, with their lengths (in {@link #used}). */
    private final Map<String, Long> pool = new HashMap<>();
    private long pooled;
    /** Bytes of freed files being renamed into the pool: room that will be in it (in {@link #used}). */
    private long pooling;
    private long poolSequence;

    private final Path dir;
    private final Path spillDir;
    private final long capacity;
    private final Consumer<String> warn;
    /** Told, at most once a second, when writers wait for a spill: the clients may hold refs they dropped. */
    private volatile Runnable pressure = () -> { };
    private long lastPressure;
    static final long PRESSURE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final ScheduledExecutorService files = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sonde-object-store");
        t.setDaemon(true);
        return t;
    });

    private final Map<String, Obj<C>> objects = new HashMap<>();
    private final Deque<Waiter<C>> waiting = new ArrayDeque<>();
    /** Bytes of shared memory taken: reserved, sealed, and being spilled. */
    private long used;
    /** Bytes being spilled now: room that is on its way. */
    private long spilling;
    private long spilledBytesNow;
    private long spilledBytes;
    private int spilledObjects;
    private long restoredBytes;
    private int restoredObjects;
    private long spillNanos;
    /** Why the last spill failed, for the writers that wait on it; null after one succeeds. */
    private String spillFailure;

    /**
     * @param dir      where the objects live: a directory of {@code /dev/shm} (see {@link #directoryFor})
     * @param spillDir where they go when the store is full; created on the first spill
     * @param capacity bytes of shared memory the store may take
     * @param warn     where the store says what went wrong with its files (the node's log)
     */
    public SharedMemoryStore(Path dir, Path spillDir, long capacity, Consumer<String> warn) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("the object store's capacity must be more than 0 bytes, got " + capacity);
        }
        this.dir = dir;
        this.spillDir = spillDir;
        this.capacity = capacity;
        this.warn = warn;
        removeStale(dir.getParent(), warn);
        this.arena = new ArenaSpace(capacity);
        this.warmFloor = Math.min(WARM_AT_MOST, arena.length() / 4 / ArenaSpace.ALIGN * ArenaSpace.ALIGN);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
            extendArena(); // sparse: its pages are taken as objects are written
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the object store's directory " + dir + ": " + e.getMessage(), e);
        }
        this.arenaMapping = new ArenaMapping(dir.resolve(ARENA_FILE), arena.length());
        files.scheduleWithFixedDelay(() -> trimArena(false), 2, 2, TimeUnit.SECONDS);
    }

    private void extendArena() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(ARENA_FILE).toFile(), "rw")) {
            f.setLength(arena.length());
        }
    }

    /**
     * What to do when the store is full and writers wait for a spill: ask the clients to collect
     * their garbage (the node sends each a CollectGarbage). Runs outside the store's monitor.
     */
    public void onPressure(Runnable pressure) {
        this.pressure = pressure;
    }

    /** How long the arena's tail must be idle before it goes back to the system (tests shorten it). */
    synchronized void trimAfter(java.time.Duration idle) {
        trimAfterNanos = idle.toNanos();
    }

    /** How much of the arena's start stays in memory when idle (tests change it). */
    synchronized void keepWarm(long bytes) {
        warmFloor = ArenaSpace.regionLength(bytes);
    }

    /**
     * Gives every idle page of the arena back to the system now, the warm start included: the
     * node's memory is short. Runs on the store's file thread; the caller does not wait.
     */
    public void giveBackIdle() {
        files.execute(() -> trimArena(true));
    }

    /** The arena's file and length, which clients map. */
    public Path arenaFile() {
        return arenaMapping.file();
    }

    public long arenaLength() {
        return arena.length();
    }

    /** Names the process whose node owns a store directory: a directory whose process is gone is stale. */
    static final String OWNER_FILE = ".node-pid";

    /**
     * Deletes the store directories of nodes that died without closing them (killed, or their
     * machine's power went): shared memory outlives its processes until the next reboot, so each
     * node that starts sweeps up after the dead ones. A directory whose owner is alive, or that does
     * not say who owns it, stays.
     */
    static void removeStale(Path parent, Consumer<String> warn) {
        if (parent == null || !Files.isDirectory(parent)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, "sonde-*")) {
            for (Path d : dirs) {
                Path owner = d.resolve(OWNER_FILE);
                boolean stale;
                try {
                    // no owner file: an older node's, or one starting this instant: left alone
                    stale = Files.exists(owner)
                            && ProcessHandle.of(Long.parseLong(Files.readString(owner).trim())).isEmpty();
                } catch (IOException | NumberFormatException e) {
                    stale = false;
                }
                if (stale) {
                    warn.accept("removed the object store " + d + " of a node that is gone");
                    deleteTree(d);
                }
            }
        } catch (IOException e) {
            // cannot list: nothing swept, nothing lost
        }
    }



    /**
     * Where a node keeps its objects: {@code /dev/shm/sonde-<node id>} where {@code /dev/shm} is a
     * writable directory (Linux), else {@code <session>/objects}, a plain directory whose pages the
     * kernel caches.
     */
    public static Path directoryFor(String nodeId, Path sessionDir) {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm.resolve("sonde-" + nodeId);
        }
        return sessionDir.resolve("objects");
    }

    public Path directory() {
        return dir;
    }

    public Path spillDirectory() {
        return spillDir;
    }

    public long capacity() {
        return capacity;
    }

    /** The name of the file a writer writes before it seals the object by renaming it. */
    public static String tempName(String objectId, String clientId) {
        return objectId + "." + clientId + ".tmp";
    }

    // ------------------------------------------------------------------ writers

    /**
     * {@code client} asks for {@code size} bytes to write object {@code objectId}. {@code reply}
     * gets null once the room is there, or why it never will be; it runs on the caller's thread
     * (when there is room now) or on the thread that freed the room, never under this store's
     * monitor.
     */
    public void reserve(C client, String jobId, String objectId, long size, boolean mayRecycle,
                        Consumer<Grant> reply) {
        reserve(client, jobId, objectId, size, mayRecycle, false, reply);
    }

    /**
     * As {@link #reserve(Object, String, String, long, boolean, Consumer)}; {@code arena}: the
     * writer can write the object into a region of the arena, which it gets when one is free.
     */
    public void reserve(C client, String jobId, String objectId, long size, boolean mayRecycle, boolean arena,
                        Consumer<Grant> reply) {
        List<Runnable> replies = new ArrayList<>(1);
        synchronized (this) {
            Obj<C> existing = objects.get(objectId);
            if (existing != null) {
                // another attempt of the same task wrote it already: the rename replaces it in
                // place (as a file: readers of the arena's copy may be reading it)
                existing.writer = client;
                existing.alsoFile |= existing.offset >= 0;
                replies.add(() -> reply.accept(Grant.ROOM));
            } else if (size > capacity) {
                replies.add(() -> reply.accept(Grant.refused(tooLarge(size))));
            } else {
                waiting.add(new Waiter<>(client, objectId, size, jobId, mayRecycle, arena, reply));
                grant(replies);
            }
        }
        replies.forEach(Runnable::run);
    }

    /** Readers hold ByteBuffer views of these files (by name): they are unlinked when freed, never written over. */
    public synchronized void viewed(List<String> names) {
        for (String name : names) {
            Obj<C> o = objects.get(name);
            if (o != null) {
                o.viewed = true;
            }
        }
    }

    /** The object is written and known to the node (a put or a task's result): it may be read, and spilled. */
    public void sealed(String objectId, long size) {
        sealed(objectId, size, false);
    }

    /** As {@link #sealed(String, long)}; {@code inArena}: the value says it is in a region of the arena. */
    public void sealed(String objectId, long size, boolean inArena) {
        List<Runnable> replies = new ArrayList<>();
        synchronized (this) {
            Obj<C> o = objects.get(objectId);
            if (o == null && inArena) {
                // its region went with its writer's job: what the value points at is gone, and
                // its readers find so (the region's generation changed)
                return;
            }
            if (o == null) {
                // sealed without a reservation known here: a result replayed from a dead worker's journal
                // after its reservation went with it. It takes room all the same.
                o = new Obj<>(objectId, size, null, "");
                objects.put(objectId, o);
                used += size;
            } else if (o.state == State.RESERVED) {
                if (!o.recycled && o.offset < 0) {
                    used += size - o.fileSize;
                    o.fileSize = size;
                }
                o.size = size;
            }
            if (o.state == State.RESERVED) {
                o.state = State.SEALED;
                o.writer = null;
                o.orphanOf = null;
            }
            grant(replies);
        }
        replies.forEach(Runnable::run);
    }

    /** The object is gone (released by its owner, or its job ended): its space comes back, its files go. */
    public void free(String objectId) {
        List<Runnable> replies = new ArrayList<>();
        Obj<C> o;
        boolean recycle = false;
        synchronized (this) {
            o = objects.remove(objectId);
            if (o == null) {
                return;
            }
            switch (o.state) {
                case SPILLING -> o.freed = true; // the spill deletes both files when it ends
                case SPILLED -> spilledBytesNow -= o.size;
                case SEALED, RESERVED -> {
                    if (o.offset >= 0) {
                        leaveArena(o);
                    } else if (o.state == State.RESERVED) {
                        used -= o.fileSize;
                    } else {
                    // kept for the next writer of about its size, unless a reader may still see it
                        recycle = !o.viewed && pooled + pooling + o.fileSize <= capacity / 4;
                        if (recycle) {
                            pooling += o.fileSize;
                        } else {
                            used -= o.fileSize;
                        }
                    }
                }
            }
            grant(replies);
        }
        if (recycle) {
            Obj<C> kept = o;
            onFileThread(() -> pool(kept));
        } else if (o.state != State.SPILLING) {
            String id = o.id;
            boolean spilled = o.state == State.SPILLED;
            boolean file = o.offset < 0 || o.alsoFile;
            onFileThread(() -> {
                if (file || spilled) {
                    delete(spilled ? spillDir.resolve(id) : dir.resolve(id));
                }
                if (!spilled) {
                    delete(spillDir.resolve(id)); // a spill that failed halfway may have left one
                }
                if (spilled && file) {
                    delete(dir.resolve(id));
                }
            });
        }
        replies.forEach(Runnable::run);
    }

    /** {@code client} could not write the object it reserved room for: the room comes back. */
    public void abandon(String objectId, C client) {
        boolean mine;
        synchronized (this) {
            Obj<C> o = objects.get(objectId);
            mine = o != null && o.state == State.RESERVED && o.writer == client;
        }
        if (mine) {
            free(objectId);
        }
    }

    /** Renames a freed object's file into the pool. On the file thread. */
    private void pool(Obj<C> o) {
        String name;
        synchronized (this) {
            name = ".pool-" + (++poolSequence);
        }
        boolean moved;
        try {
            Files.move(dir.resolve(o.id), dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } catch (IOException e) {
            moved = false;
            delete(dir.resolve(o.id));
        }
        List<Runnable> replies = new ArrayList<>();
        synchronized (this) {
            pooling -= o.fileSize;
            if (moved) {
                pool.put(name, o.fileSize);
                pooled += o.fileSize;
            } else {
                used -= o.fileSize;
            }
            grant(replies);
        }
        replies.forEach(Runnable::run);
    }

    /**
     * A client's connection ended: what it was writing and never sealed goes, with its {@code .tmp}
     * files. An object it renamed but whose Put or result the node has not seen stays reserved:
     * a dead worker's result comes back from its journal and seals it; else its job's end frees it.
     */
    public void clientClosed(C client, String clientId) {
        clientClosed(client, clientId, null);
    }

    /**
     * As {@link #clientClosed(Object, String)}, for the client of a worker when {@code worker} is
     * not null: the regions of the arena it was writing stay taken until its journal was read
     * ({@link #resultsReplayed}), since a result it wrote there may come back from it. A driver's
     * go at once.
     */
    public void clientClosed(C client, String clientId, String worker) {
        List<Runnable> replies = new ArrayList<>();
        List<String> unsealed = new ArrayList<>();
        synchronized (this) {
            waiting.removeIf(w -> w.client() == client);
            boolean journalRead = worker != null && replayed.remove(worker);
            for (Iterator<Obj<C>> it = objects.values().iterator(); it.hasNext(); ) {
                Obj<C> o = it.next();
                if (o.state != State.RESERVED || o.writer != client) {
                    continue;
                }
                if (o.offset < 0) {
                    unsealed.add(o.id);
                } else if (worker == null || journalRead) {
                    it.remove();
                    leaveArena(o);
                } else {
                    o.writer = null;
                    o.orphanOf = worker;
                }
            }
            grant(replies);
        }
        replies.forEach(Runnable::run);
        onFileThread(() -> {
            String suffix = "." + clientId + ".tmp";
            try (DirectoryStream<Path> tmp = Files.newDirectoryStream(dir, "*" + suffix)) {
                tmp.forEach(SharedMemoryStore::delete);
            } catch (IOException e) {
                warn.accept("cannot list the object store's directory " + dir + " to delete what client " + clientId
                        + " left unwritten: " + e.getMessage());
            }
            List<Runnable> granted = new ArrayList<>();
            synchronized (this) {
                for (String id : unsealed) {
                    Obj<C> o = objects.get(id);
                    if (o != null && o.state == State.RESERVED && o.writer == client && !Files.exists(dir.resolve(id))) {
                        objects.remove(id);
                        used -= o.fileSize;
                    }
                }
                grant(granted);
            }
            granted.forEach(Runnable::run);
        });
    }

    /**
     * The journal of a worker that exited was read, and the results in it sealed: what it was
     * writing into the arena and never finished goes.
     */
    public void resultsReplayed(String worker) {
        List<Runnable> replies = new ArrayList<>();
        synchronized (this) {
            boolean any = false;
            for (Iterator<Obj<C>> it = objects.values().iterator(); it.hasNext(); ) {
                Obj<C> o = it.next();
                if (o.state == State.RESERVED && worker.equals(o.orphanOf)) {
                    it.remove();
                    leaveArena(o);
                    any = true;
                }
            }
            if (!any) {
                replayed.add(worker); // its connection's end may not have been seen yet
            }
            grant(replies);
        }
        replies.forEach(Runnable::run);
    }

    /** A job ended: whatever of it the store still holds goes (objects whose result never reached the node). */
    public void jobEnded(String jobId) {
        List<String> ids = new ArrayList<>();
        synchronized (this) {
            for (Obj<C> o : objects.values()) {
                if (jobId.equals(o.jobId)) {
                    ids.add(o.id);
                }
            }
        }
        ids.forEach(this::free);
    }

    /** A client read these objects back from their spill files. */
    public synchronized void restored(int count, long bytes) {
        restoredObjects += count;
        restoredBytes += bytes;
    }

    // ------------------------------------------------------------------ room and spilling

    /**
     * Grants waiting writers in order while there is room; when the first does not fit, starts
     * spilling sealed objects, largest first, until what is being spilled covers it. Called
     * holding the monitor; the replies go to {@code replies}.
     */
    private void grant(List<Runnable> replies) {
        while (!waiting.isEmpty()) {
            Waiter<C> w = waiting.peek();
            long region = w.arena() && arena.fits(ArenaMapping.HEADER + w.size())
                    ? ArenaSpace.regionLength(ArenaMapping.HEADER + w.size()) : -1;
            if (region > 0 && (used + region <= capacity || trimPool(used + region - capacity))) {
                long at = arena.take(ArenaMapping.HEADER + w.size());
                if (at >= 0) { // else the arena is broken up: a file of its own
                    waiting.poll();
                    Obj<C> o = new Obj<>(w.objectId(), w.size(), w.client(), w.jobId());
                    o.offset = at;
                    o.fileSize = region;
                    o.generation = ++generations;
                    used += region;
                    lastTake = System.nanoTime();
                    objects.put(w.objectId(), o);
                    spillFailure = null;
                    Grant g = new Grant(null, null, at, o.generation, List.of());
                    replies.add(() -> w.reply().accept(g));
                    continue;
                }
            }
            String recycled = w.mayRecycle() ? takeFromPool(w.size()) : null;
            if (recycled != null || used + w.size() <= capacity || trimPool(used + w.size() - capacity)) {
                waiting.poll();
                Obj<C> o = new Obj<>(w.objectId(), w.size(), w.client(), w.jobId());
                if (recycled != null) {
                    long length = pool.remove(recycled);
                    pooled -= length;
                    o.fileSize = length; // counted in used already, as the pool's
                    o.recycled = true;
                } else {
                    used += w.size();
                }
                objects.put(w.objectId(), o);
                spillFailure = null;
                Grant g = recycled == null ? Grant.ROOM : new Grant(null, recycled, -1, 0, List.of());
                replies.add(() -> w.reply().accept(g));
                continue;
            }
            long need = used + Math.max(region, w.size()) - capacity - spilling;
            if (need > 0 && System.nanoTime() - lastPressure >= PRESSURE_EVERY_NANOS) {
                // what the spill is about to write may be garbage a client has not collected yet
                lastPressure = System.nanoTime();
                Runnable p = pressure;
                replies.add(p);
            }
            if (need > 0 && !spillLargest(need)) {
                if (spilling == 0 && pooling == 0 && !anyReserved()) {
                    // nothing sealed left to spill, nothing on its way: it will never fit
                    waiting.poll();
                    String why = full(w.size());
                    Grant g = new Grant(why, null, -1, 0, largest(FULL_NAMES).stream().map(o -> o.id).toList());
                    replies.add(() -> w.reply().accept(g));
                    continue;
                }
            }
            return;
        }
    }

    /** The smallest pooled file that holds {@code size} bytes without wasting more than half of it; null if none. */
    private String takeFromPool(long size) {
        String best = null;
        long bestLength = Long.MAX_VALUE;
        for (Map.Entry<String, Long> e : pool.entrySet()) {
            long length = e.getValue();
            if (length >= size && length <= 2 * size + (1 << 20) && length < bestLength) {
                best = e.getKey();
                bestLength = length;
            }
        }
        return best;
    }

    /** Deletes pooled files, largest first, until {@code need} bytes are free; whether they are. Holding the monitor. */
    private boolean trimPool(long need) {
        if (need <= 0) {
            return true;
        }
        List<Map.Entry<String, Long>> largest = new ArrayList<>(pool.entrySet());
        largest.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        long freed = 0;
        for (Map.Entry<String, Long> e : largest) {
            if (freed >= need) {
                break;
            }
            pool.remove(e.getKey());
            pooled -= e.getValue();
            used -= e.getValue();
            freed += e.getValue();
            Path file = dir.resolve(e.getKey());
            onFileThread(() -> delete(file));
        }
        return freed >= need;
    }

    private boolean anyReserved() {
        for (Obj<C> o : objects.values()) {
            if (o.state == State.RESERVED) {
                return true;
            }
        }
        return false;
    }

    /** Starts spilling sealed objects, largest first, until {@code need} bytes are on their way; whether they are. */
    private boolean spillLargest(long need) {
        if (spillFailure != null) {
            return false;
        }
        List<Obj<C>> sealed = new ArrayList<>();
        for (Obj<C> o : objects.values()) {
            if (o.state == State.SEALED) {
                sealed.add(o);
            }
        }
        sealed.sort(Comparator.comparingLong((Obj<C> o) -> o.size).reversed());
        long started = 0;
        for (Iterator<Obj<C>> it = sealed.iterator(); it.hasNext() && started < need; ) {
            Obj<C> o = it.next();
            o.state = State.SPILLING;
            spilling += o.fileSize;
            started += o.fileSize;
            onFileThread(() -> spill(o));
        }
        return started >= need;
    }

    /** Copies one object to the spill directory, then lets its shared memory go. On the file thread. */
    private void spill(Obj<C> o) {
        long began = System.nanoTime();
        boolean inArena = o.offset >= 0;
        Path from = inArena ? arenaMapping.file() : dir.resolve(o.id);
        long start = inArena ? o.offset + ArenaMapping.HEADER : 0;
        Path to = spillDir.resolve(o.id);
        Path partial = spillDir.resolve(o.id + ".spilling");
        String failure = null;
        boolean abandoned = false;
        try {
            Files.createDirectories(spillDir);
            try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         StandardOpenOption.TRUNCATE_EXISTING)) {
                long size = o.size; // a recycled file may be longer than the object
                for (long done = 0; done < size && !abandoned; ) {
                    done += in.transferTo(start + done, Math.min(SPILL_PIECE, size - done), out);
                    abandoned = freedMeanwhile(o);
                }
            }
            if (abandoned) {
                throw new IOException("freed while it was spilled");
            }
            Files.move(partial, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            // readers that opened it keep their mapping; new ones find the spill file. Unlinked
            // before the books say the room is free, so the store never holds more than its capacity.
            // (An arena object's region is cleared, then freed, below.)
            if (!inArena) {
                delete(from);
            }
        } catch (IOException e) {
            delete(partial);
            failure = abandoned ? null : "spilling object " + o.id + " (" + Bytes.human(o.size) + ") to " + spillDir + " failed: " + e
                    + (e.getMessage() != null && e.getMessage().contains("No space") ? " (the disk is full)" : "");
        }
        List<Runnable> replies = new ArrayList<>();
        boolean freed;
        synchronized (this) {
            spilling -= o.fileSize;
            freed = o.freed;
            if (abandoned) {
                // its refs went while it was written out: the copy stopped, the room is back now
                if (inArena) {
                    leaveArena(o);
                } else {
                    used -= o.fileSize;
                }
            } else if (failure != null) {
                spillFailure = failure;
                if (!freed) {
                    o.state = State.SEALED;
                } else if (inArena) {
                    leaveArena(o);
                } else {
                    used -= o.fileSize;
                }
            } else {
                spillNanos += System.nanoTime() - began;
                spilledBytes += o.size;
                spilledObjects++;
                if (inArena) {
                    leaveArena(o); // readers from now on find the spill file
                } else {
                    used -= o.fileSize;
                }
                if (!freed) {
                    o.state = State.SPILLED;
                    spilledBytesNow += o.size;
                }
            }
            grant(replies); // after a failure, the writers that waited on this spill learn why
        }
        if (failure != null) {
            warn.accept(failure);
        }
        if (freed) {
            if (!inArena || o.alsoFile) {
                delete(dir.resolve(o.id));
            }
            delete(to);
        }
        replies.forEach(Runnable::run);
    }

    /** A spill copies this much at a time, and stops when the object was freed meanwhile. */
    private static final long SPILL_PIECE = 16L << 20;

    private synchronized boolean freedMeanwhile(Obj<C> o) {
        return o.freed;
    }

    /**
     * An arena object leaves its region (freed or spilled): once sealed, readers may know its
     * region, so its generation is cleared before anyone else can be given the region. Holding the
     * monitor.
     */
    private void leaveArena(Obj<C> o) {
        if (o.state != State.RESERVED) {
            arenaMapping.clear(o.offset);
        }
        arena.release(o.offset);
        used -= o.fileSize;
        o.offset = -1;
    }

    /**
     * Gives an arena tail that no object used for a while back to the system: the file is cut to
     * the end of the highest region in use (or the warm start's, unless {@code all}) and grown
     * back, so the pages past it are holes again. Clients touch only regions they were given,
     * never the tail, so cutting under their mappings is safe; the tail is taken (as one region)
     * while it is cut. On the file thread.
     */
    private void trimArena(boolean all) {
        long from;
        synchronized (this) {
            from = all ? arena.liveEnd() : Math.max(arena.liveEnd(), warmFloor);
            long idle = arena.highWater() - from;
            if (idle <= 0 || !all && (System.nanoTime() - lastTake < trimAfterNanos
                    || idle < Math.min(TRIM_AT_LEAST, arena.length() / 4))) {
                return;
            }
            if (!arena.holdTail(from)) {
                return;
            }
        }
        try (FileChannel f = FileChannel.open(arenaMapping.file(), StandardOpenOption.WRITE)) {
            f.truncate(from);
            extendArena();
        } catch (IOException e) {
            warn.accept("cannot give the object store arena's idle tail back (" + arenaMapping.file() + "): " + e);
        }
        synchronized (this) {
            arena.releaseTail(from);
            arena.trimmed(from);
        }
    }

    // ------------------------------------------------------------------ views

    /** "shared", "spilled" or null when the store does not hold the object. */
    public synchronized String location(String objectId) {
        Obj<C> o = objects.get(objectId);
        if (o == null) {
            return null;
        }
        return o.state == State.SPILLED ? "spilled" : "shared";
    }

    /** Bytes of shared memory taken now. */
    public synchronized long used() {
        return used;
    }

    /**
     * Bytes of shared memory the store holds now: what is {@link #used}, plus the arena's pages
     * that objects used and left, which stay in memory (for the next writer) until the arena's
     * tail has been idle for a while (its warm start until the node's memory is short).
     */
    public synchronized long held() {
        return used + idleHeld();
    }

    /** The arena's pages that objects used and left, still in memory. */
    public synchronized long idleHeld() {
        return Math.max(0, arena.highWater() - arena.takenBytes());
    }

    public synchronized ObjectStoreStats stats() {
        int inMemory = 0;
        for (Obj<C> o : objects.values()) {
            if (o.state != State.SPILLED) {
                inMemory++;
            }
        }
        return ObjectStoreStats.newBuilder().setCapacityBytes(capacity).setUsedBytes(used).setObjects(inMemory)
                .setSpilledBytes(spilledBytes).setSpilledObjects(spilledObjects).setRestoredBytes(restoredBytes)
                .setRestoredObjects(restoredObjects).setSpillNanos(spillNanos).setSpilledBytesNow(spilledBytesNow)
                .setDirectory(dir.toString()).setSpillDirectory(spillDir.toString()).setWaitingWriters(waiting.size())
                .setArenaIdleBytes(idleHeld()).setArenaWarmBytes(warmFloor).build();
    }

    private String tooLarge(long size) {
        return "an object of " + Bytes.human(size) + " is larger than the whole object store (" + Bytes.human(capacity)
                + "); start the node with a larger --object-store-memory, or split the value";
    }

    /** How many of the largest objects a full store's message names. */
    private static final int FULL_NAMES = 5;

    /** The {@code n} largest objects in shared memory, largest first. Holding the monitor. */
    private List<Obj<C>> largest(int n) {
        List<Obj<C>> largest = new ArrayList<>(objects.values());
        largest.removeIf(o -> o.state == State.SPILLED);
        largest.sort(Comparator.comparingLong((Obj<C> o) -> o.size).reversed());
        return largest.size() > n ? largest.subList(0, n) : largest;
    }

    /** Why a writer of {@code size} bytes cannot be served: the store's use, by its largest objects. Holding the monitor. */
    private String full(long size) {
        List<Obj<C>> largest = largest(Integer.MAX_VALUE);
        StringBuilder s = new StringBuilder("the object store is full: " + Bytes.human(used) + " of "
                + Bytes.human(capacity) + " in use by " + largest.size() + " objects, none of which can be spilled, and "
                + Bytes.human(size) + " more were asked for. Largest:");
        for (int i = 0; i < Math.min(FULL_NAMES, largest.size()); i++) {
            Obj<C> o = largest.get(i);
            s.append(' ').append(o.id).append(" (").append(Bytes.human(o.size)).append(", ")
                    .append(o.state.name().toLowerCase()).append(')');
        }
        if (largest.size() > FULL_NAMES) {
            s.append(" and ").append(largest.size() - FULL_NAMES).append(" more");
        }
        if (spillFailure != null) {
            s.append(". They cannot be spilled because ").append(spillFailure);
        }
        return s.append(". Run `sonde memory` to see who holds them.").toString();
    }

    // ------------------------------------------------------------------ files

    private void onFileThread(Runnable work) {
        try {
            files.execute(work);
        } catch (RejectedExecutionException closed) {
            // the store is closing: close() deletes the directories
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (NoSuchFileException gone) {
            // deleted already
        } catch (IOException e) {
            // nothing more to do: the directory goes when the node stops
        }
    }

    /** Deletes the store's files: the node stops, and its objects with it. Waits for the file thread briefly. */
    @Override
    public void close() {
        files.shutdown();
        try {
            files.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        arenaMapping.close();
        deleteTree(dir);
        deleteTree(spillDir);
    }

    private static void deleteTree(Path root) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (DirectoryStream<Path> all = Files.newDirectoryStream(root)) {
            all.forEach(SharedMemoryStore::delete);
        } catch (IOException e) {
            // what cannot be listed stays
        }
        delete(root);
    }
}

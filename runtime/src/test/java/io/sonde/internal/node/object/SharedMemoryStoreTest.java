package io.sonde.internal.node.object;

import io.sonde.internal.serialization.ArenaMapping;
import io.sonde.proto.ObjectStoreStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The store's books on real files: room, back-pressure, spilling largest first, freeing, and what
 * a dead writer leaves. Clients are plain strings; objects are written as a client would.
 */
class SharedMemoryStoreTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path root;
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private SharedMemoryStore<String> store;

    private SharedMemoryStore<String> store(long capacity) {
        store = new SharedMemoryStore<>(root.resolve("shm"), root.resolve("spill"), capacity, warnings::add);
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    /** Asks for room; the future holds null once granted, or the refusal. */
    private CompletableFuture<String> reserve(String client, String id, long size) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        store.reserve(client, "job", id, size, false, g -> reply.complete(g.error()));
        return reply;
    }

    /** Asks for room for a write that may go over a recycled file. */
    private SharedMemoryStore.Grant reserveRecycling(String client, String id, long size) throws Exception {
        CompletableFuture<SharedMemoryStore.Grant> reply = new CompletableFuture<>();
        store.reserve(client, "job", id, size, true, reply::complete);
        return reply.get();
    }

    /** Writes and seals an object as a client does: tmp file, rename, then the node learns of it. */
    private void write(String client, String id, int size) throws IOException {
        Path tmp = store.directory().resolve(SharedMemoryStore.tempName(id, client));
        Files.write(tmp, new byte[size]);
        Files.move(tmp, store.directory().resolve(id));
        store.sealed(id, size);
    }

    private void put(String client, String id, int size) throws Exception {
        assertThat(reserve(client, id, size).get()).isNull();
        write(client, id, size);
    }

    @Test
    void roomIsGrantedAtOnceWhileThereIsSome() throws Exception {
        store(1000);
        put("c", "a", 400);
        put("c", "b", 400);
        ObjectStoreStats s = store.stats();
        assertThat(s.getUsedBytes()).isEqualTo(800);
        assertThat(s.getObjects()).isEqualTo(2);
        assertThat(s.getSpilledObjects()).isZero();
    }

    @Test
    void aFullStoreSpillsTheLargestSealedObjectsThenGrantsTheWaitingWriter() throws Exception {
        store(1000);
        put("c", "small", 300);
        put("c", "large", 600);
        CompletableFuture<String> third = reserve("c", "third", 500);
        assertThat(third.get()).isNull(); // granted once "large" was spilled
        assertThat(store.location("large")).isEqualTo("spilled");
        assertThat(store.location("small")).isEqualTo("shared");
        assertThat(Files.exists(root.resolve("spill").resolve("large"))).isTrue();
        await().atMost(WAIT).until(() -> !Files.exists(store.directory().resolve("large")));
        assertThat(Files.size(root.resolve("spill").resolve("large"))).isEqualTo(600);
        ObjectStoreStats s = store.stats();
        assertThat(s.getUsedBytes()).isEqualTo(800);
        assertThat(s.getSpilledBytes()).isEqualTo(600);
        assertThat(s.getSpilledBytesNow()).isEqualTo(600);
    }

    @Test
    void aWriterWaitsWhileTheOnlyObjectsAreStillBeingWritten() throws Exception {
        store(1000);
        assertThat(reserve("w1", "a", 700).get()).isNull();
        CompletableFuture<String> second = reserve("w2", "b", 700);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !second.isDone());
        write("w1", "a", 700); // sealed: now it can be spilled to make room
        assertThat(second.get()).isNull();
        assertThat(store.location("a")).isEqualTo("spilled");
    }

    @Test
    void anObjectLargerThanTheStoreIsRefusedSayingSo() throws Exception {
        store(1000);
        String why = reserve("c", "huge", 5000).get();
        assertThat(why).contains("larger than the whole object store").contains("--object-store-memory");
    }

    @Test
    void freeingGivesTheRoomBackAndDeletesTheFilesInMemoryAndOnDisk() throws Exception {
        store(1000);
        put("c", "a", 600);
        put("c", "b", 600); // spills a
        await().atMost(WAIT).until(() -> "spilled".equals(store.location("a")));
        store.free("a");
        store.free("b");
        assertThat(store.stats().getUsedBytes()).isZero();
        assertThat(store.stats().getSpilledBytesNow()).isZero();
        await().atMost(WAIT).until(() -> list(store.directory()).isEmpty() && list(root.resolve("spill")).isEmpty());
    }

    @Test
    void putAndDropTenTimesTheCapacityOneAtATimeNeverSpills() throws Exception {
        store(1000);
        for (int i = 0; i < 20; i++) {
            put("c", "o" + i, 500);
            store.free("o" + i);
        }
        assertThat(store.stats().getSpilledObjects()).isZero();
        assertThat(store.stats().getUsedBytes()).isZero();
        await().atMost(WAIT).until(() -> list(store.directory()).isEmpty());
    }

    @Test
    void aFreedObjectsFileIsWrittenOverByTheNextWriterOfAboutItsSize() throws Exception {
        store(4000);
        put("c", "a", 800);
        store.free("a");
        await().atMost(WAIT).until(() -> list(store.directory()).stream()
                .anyMatch(p -> p.getFileName().toString().startsWith(".pool-")));
        assertThat(store.stats().getUsedBytes()).as("a pooled file takes its room").isEqualTo(800);
        SharedMemoryStore.Grant g = reserveRecycling("c", "b", 700);
        assertThat(g.error()).isNull();
        assertThat(g.recycled()).startsWith(".pool-");
        assertThat(store.stats().getUsedBytes()).isEqualTo(800);
        // a writer that wrote already (a streamed value) never takes one
        put("c", "other", 800);
        store.free("other");
        await().atMost(WAIT).until(() -> list(store.directory()).stream()
                .anyMatch(p -> p.getFileName().toString().startsWith(".pool-")));
        assertThat(reserve("c", "streamed", 700).get()).isNull();
        assertThat(list(store.directory())).anyMatch(p -> p.getFileName().toString().startsWith(".pool-"));
    }

    @Test
    void aFileAReaderViewsIsNeverWrittenOver() throws Exception {
        store(4000);
        put("c", "v", 800);
        store.viewed(List.of("v"));
        store.free("v");
        await().atMost(WAIT).until(() -> list(store.directory()).isEmpty());
        assertThat(reserveRecycling("c", "w", 800).recycled()).isNull();
    }

    @Test
    void pooledFilesGoBeforeAnythingIsSpilled() throws Exception {
        store(1000);
        put("c", "a", 250);
        store.free("a");
        await().atMost(WAIT).until(() -> list(store.directory()).stream()
                .anyMatch(p -> p.getFileName().toString().startsWith(".pool-")));
        put("c", "b", 700);
        assertThat(reserve("c", "d", 300).get()).isNull(); // 700 + 300: the pooled 250 went, not b
        assertThat(store.location("b")).isEqualTo("shared");
        assertThat(store.stats().getSpilledObjects()).isZero();
        assertThat(store.stats().getUsedBytes()).isEqualTo(1000);
    }

    @Test
    void aWriterThatDiesMidWriteLeavesNothingAndItsRoomComesBack() throws Exception {
        store(1000);
        assertThat(reserve("dead", "x", 800).get()).isNull();
        Path tmp = store.directory().resolve(SharedMemoryStore.tempName("x", "dead"));
        Files.write(tmp, new byte[100]); // half written, never renamed
        CompletableFuture<String> waiting = reserve("other", "y", 800);
        store.clientClosed("dead", "dead");
        assertThat(waiting.get()).isNull();
        await().atMost(WAIT).until(() -> !Files.exists(tmp));
        assertThat(store.location("x")).isNull();
        assertThat(store.stats().getUsedBytes()).isEqualTo(800);
    }

    @Test
    void anObjectRenamedButNotYetSealedOutlivesItsWritersConnection() throws Exception {
        store(1000);
        assertThat(reserve("w", "r", 300).get()).isNull();
        Path tmp = store.directory().resolve(SharedMemoryStore.tempName("r", "w"));
        Files.write(tmp, new byte[300]);
        Files.move(tmp, store.directory().resolve("r"));
        store.clientClosed("w", "w"); // its result comes back from its journal
        Thread.sleep(0);
        store.sealed("r", 300);
        assertThat(store.location("r")).isEqualTo("shared");
        assertThat(Files.exists(store.directory().resolve("r"))).isTrue();
        assertThat(store.stats().getUsedBytes()).isEqualTo(300);
    }

    @Test
    void whenSpillingFailsTheWaitingWriterIsToldWhyAndWhatHoldsTheStore() throws Exception {
        store(1000);
        Files.writeString(root.resolve("spill"), "a file where the spill directory should be");
        put("c", "a", 600);
        String why = reserve("c", "b", 600).get();
        assertThat(why).contains("the object store is full").contains("a (600 bytes").contains("sonde memory")
                .contains("spilling object a");
        assertThat(warnings).anyMatch(w -> w.contains("spilling object a"));
        assertThat(store.location("a")).isEqualTo("shared"); // still there, still readable
    }

    @Test
    void aStartingStoreSweepsAwayTheDirectoriesOfDeadNodesAndOnlyThose() throws Exception {
        Path shm = root.resolve("shm-root");
        Path dead = Files.createDirectories(shm.resolve("sonde-dead"));
        Files.writeString(dead.resolve(SharedMemoryStore.OWNER_FILE), "999999999");
        Files.write(dead.resolve("obj"), new byte[10]);
        Path alive = Files.createDirectories(shm.resolve("sonde-alive"));
        Files.writeString(alive.resolve(SharedMemoryStore.OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
        Path emptyUnknown = Files.createDirectories(shm.resolve("sonde-empty"));
        Path unknown = Files.createDirectories(shm.resolve("sonde-unknown"));
        Files.write(unknown.resolve("obj"), new byte[10]);
        Path other = Files.createDirectories(shm.resolve("not-sonde"));
        store = new SharedMemoryStore<>(shm.resolve("sonde-new"), root.resolve("spill"), 1000, warnings::add);
        assertThat(dead).doesNotExist();
        assertThat(emptyUnknown).exists(); // a node may be starting in it this instant
        assertThat(alive).exists();
        assertThat(unknown).exists();
        assertThat(other).exists();
        assertThat(warnings).anyMatch(w -> w.contains("sonde-dead") && w.contains("gone"));
    }

    @Test
    void theJobsObjectsGoWhenItEnds() throws Exception {
        store(1000);
        assertThat(reserve("w", "orphan", 300).get()).isNull();
        store.jobEnded("job");
        assertThat(store.stats().getUsedBytes()).isZero();
    }

    // ------------------------------------------------------------------ the arena

    /** Asks for a region of the arena. */
    private SharedMemoryStore.Grant reserveArena(String client, String id, long size) throws Exception {
        CompletableFuture<SharedMemoryStore.Grant> reply = new CompletableFuture<>();
        store.reserve(client, "job", id, size, true, true, reply::complete);
        return reply.get();
    }

    /** Writes a byte array into its region as a client does, and seals it. */
    private SharedMemoryStore.Grant putArena(ArenaMapping arena, String client, String id, byte[] body) throws Exception {
        SharedMemoryStore.Grant g = reserveArena(client, id, body.length + 1);
        assertThat(g.error()).isNull();
        assertThat(g.generation()).as("a region of the arena").isNotZero();
        arena.write(g.arenaOffset(), g.generation(), (byte) 2, ByteBuffer.wrap(body));
        store.sealed(id, body.length + 1, true);
        return g;
    }

    private static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void anArenaObjectTakesARegionAndIsSpilledByteIdenticalThenItsRegionIsCleared() throws Exception {
        store(1 << 20);
        try (ArenaMapping arena = new ArenaMapping(store.arenaFile(), store.arenaLength())) {
            byte[] a = pattern(600_000, 1);
            SharedMemoryStore.Grant ga = putArena(arena, "c", "a", a);
            assertThat(store.stats().getUsedBytes()).isEqualTo(ArenaSpace.regionLength(8 + 600_001));
            assertThat(list(store.directory())).as("no file of its own").isEmpty();
            assertThat(arena.read(ga.arenaOffset(), ga.generation(), 600_001, b -> b.get(1))).contains(a[0]);

            putArena(arena, "c", "b", pattern(600_000, 2)); // no room: a, the largest sealed, is spilled
            await().atMost(WAIT).until(() -> "spilled".equals(store.location("a")));
            byte[] spilled = Files.readAllBytes(root.resolve("spill").resolve("a"));
            assertThat(spilled[0]).as("the tag").isEqualTo((byte) 2);
            assertThat(Arrays.copyOfRange(spilled, 1, spilled.length)).isEqualTo(a);
            assertThat(arena.generation(ga.arenaOffset())).as("readers of a's region go to its spill file")
                    .isNotEqualTo(ga.generation());
            assertThat(arena.read(ga.arenaOffset(), ga.generation(), 600_001, b -> b.get(1))).isEmpty();
            store.free("a");
            store.free("b");
            assertThat(store.stats().getUsedBytes()).isZero();
            await().atMost(WAIT).until(() -> list(root.resolve("spill")).isEmpty());
        }
    }

    @Test
    void aFreedRegionIsGivenToTheNextWriterUnderANewGeneration() throws Exception {
        store(1 << 20);
        try (ArenaMapping arena = new ArenaMapping(store.arenaFile(), store.arenaLength())) {
            SharedMemoryStore.Grant first = putArena(arena, "c", "a", pattern(200_000, 1));
            store.free("a");
            assertThat(arena.generation(first.arenaOffset())).isZero();
            SharedMemoryStore.Grant second = putArena(arena, "c", "b", pattern(200_000, 2));
            assertThat(second.arenaOffset()).isEqualTo(first.arenaOffset());
            assertThat(second.generation()).isNotEqualTo(first.generation());
            assertThat(store.held()).as("only b's region").isEqualTo(store.stats().getUsedBytes());
        }
    }

    @Test
    void aByteBufferOrAnObjectTooLargeForARegionGetsAFile() throws Exception {
        store(1 << 20);
        CompletableFuture<SharedMemoryStore.Grant> view = new CompletableFuture<>();
        store.reserve("c", "job", "v", 1000, true, false, view::complete);
        assertThat(view.get().generation()).isZero();
        store.abandon("v", "c");
        assertThat(store.stats().getUsedBytes()).isZero();
    }

    @Test
    void aWorkersUnfinishedArenaWriteStaysUntilItsJournalWasReadThenGoes() throws Exception {
        store(1 << 20);
        try (ArenaMapping arena = new ArenaMapping(store.arenaFile(), store.arenaLength())) {
            SharedMemoryStore.Grant done = reserveArena("w", "finished", 100_001);
            arena.write(done.arenaOffset(), done.generation(), (byte) 2, ByteBuffer.wrap(new byte[100_000]));
            assertThat(reserveArena("w", "halfway", 100_001).error()).isNull();
            long used = store.stats().getUsedBytes();
            store.clientClosed("w", "w", "worker-1");
            assertThat(store.stats().getUsedBytes()).as("its journal may still hold a result written there")
                    .isEqualTo(used);
            store.sealed("finished", 100_001, true); // the journal's result
            store.resultsReplayed("worker-1");
            assertThat(store.location("finished")).isEqualTo("shared");
            assertThat(store.location("halfway")).as("never finished: gone").isNull();
            assertThat(store.stats().getUsedBytes()).isEqualTo(ArenaSpace.regionLength(8 + 100_001));
        }
    }

    @Test
    void aDriversUnfinishedArenaWriteGoesWithItsConnection() throws Exception {
        store(1 << 20);
        assertThat(reserveArena("d", "halfway", 100_001).error()).isNull();
        store.clientClosed("d", "d", null);
        assertThat(store.stats().getUsedBytes()).isZero();
        // and a worker whose journal was read before its connection's end was seen
        assertThat(reserveArena("w", "late", 100_001).error()).isNull();
        store.resultsReplayed("worker-2");
        store.clientClosed("w", "w", "worker-2");
        assertThat(store.stats().getUsedBytes()).isZero();
    }

    @Test
    void theArenasIdleTailGoesBackToTheSystem() throws Exception {
        store(4 << 20);
        try (ArenaMapping arena = new ArenaMapping(store.arenaFile(), store.arenaLength())) {
            putArena(arena, "c", "keep", pattern(1000, 1));
            putArena(arena, "c", "big", pattern(3 << 20, 2));
            store.free("big");
            assertThat(store.stats().getArenaIdleBytes()).as("big's pages stay for the next writer")
                    .isGreaterThanOrEqualTo(3 << 20);
            assertThat(store.held()).isGreaterThan(store.used());
            store.trimAfter(Duration.ZERO);
            // the arena's warm start (a quarter of it here) stays: the next puts find their pages there
            long warm = store.arenaLength() / 4 - ArenaSpace.regionLength(1000);
            await().atMost(WAIT).until(() -> store.stats().getArenaIdleBytes() == warm);
            assertThat(store.held()).isEqualTo(store.used() + warm);
            store.giveBackIdle(); // what the memory monitor does when the node's memory is short
            await().atMost(WAIT).until(() -> store.stats().getArenaIdleBytes() == 0);
            assertThat(store.held()).isEqualTo(store.used());
            assertThat(Files.size(store.arenaFile())).as("grown back to its length").isEqualTo(store.arenaLength());
            SharedMemoryStore.Grant again = putArena(arena, "c", "again", pattern(3 << 20, 3));
            assertThat(arena.read(again.arenaOffset(), again.generation(), 1, b -> b.get(0))).contains((byte) 2);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) { // the objects' files, not the node's owner file or the arena
            return new ArrayList<>(s.filter(p -> !p.getFileName().toString().equals(SharedMemoryStore.OWNER_FILE)
                    && !p.getFileName().toString().equals(SharedMemoryStore.ARENA_FILE)).toList());
        }
    }
}

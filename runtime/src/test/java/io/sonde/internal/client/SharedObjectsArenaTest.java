package io.sonde.internal.client;

import io.sonde.ObjectStoreFullException;
import io.sonde.internal.node.object.SharedMemoryStore;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.Registered;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client's writes into the arena and its reads out of it, against a real store on real files:
 * a reader never returns bytes of a later object that took the region, whenever that happens.
 */
class SharedObjectsArenaTest {
    private static final ClassLoader LOADER = SharedObjectsArenaTest.class.getClassLoader();

    @TempDir
    Path root;
    private SharedMemoryStore<String> store;
    private SharedObjects objects;
    private final AtomicInteger restored = new AtomicInteger();

    private void start(long capacity) {
        store = new SharedMemoryStore<>(root.resolve("shm"), root.resolve("spill"), capacity, w -> { });
        Registered info = Registered.newBuilder().setClientId("me").setObjectStoreThreshold(100 * 1024)
                .setObjectStoreDir(store.directory().toString()).setObjectSpillDir(store.spillDirectory().toString())
                .setObjectStoreArena(store.arenaFile().toString()).setObjectStoreArenaLength(store.arenaLength()).build();
        objects = new SharedObjects(info, new SharedObjects.Node() {
            @Override
            public SharedObjects.Reservation reserve(String id, long size, boolean mayRecycle, boolean arena) {
                CompletableFuture<SharedMemoryStore.Grant> f = new CompletableFuture<>();
                store.reserve("me", "job", id, size, mayRecycle, arena, f::complete);
                SharedMemoryStore.Grant g = f.join();
                if (g.error() != null) {
                    throw new ObjectStoreFullException(g.error());
                }
                return g.generation() != 0 ? new SharedObjects.Reservation(null, g.arenaOffset(), g.generation())
                        : new SharedObjects.Reservation(g.recycled(), -1, 0);
            }

            @Override
            public void viewed(String fileName) {
                store.viewed(List.of(fileName));
            }

            @Override
            public void abandon(String id) {
                store.abandon(id, "me");
            }

            @Override
            public void restored(String id, long bytes) {
                restored.incrementAndGet();
            }
        });
    }

    @AfterEach
    void close() {
        if (objects != null) {
            objects.close();
        }
        if (store != null) {
            store.close();
        }
    }

    /** Puts as a driver does: written by this client, then sealed by the node on its Put. */
    private ObjectValue put(String id, Object value) {
        ObjectValue v = objects.encode(id, value);
        store.sealed(id, v.getSharedSize(), v.getArenaGeneration() != 0);
        return v;
    }

    private static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void byteArraysAndStringsGoToTheArenaAndComeBackIdentical() {
        start(8 << 20);
        byte[] bytes = pattern(1 << 20, 3);
        ObjectValue b = put("b", bytes);
        assertThat(b.getArenaGeneration()).isNotZero();
        assertThat((byte[]) objects.read(b, LOADER)).isEqualTo(bytes);
        String text = "é".repeat(200_000);
        ObjectValue s = put("s", text);
        assertThat(s.getArenaGeneration()).isNotZero();
        assertThat(objects.read(s, LOADER)).isEqualTo(text);
        // a ByteBuffer is read back as a view: a file of its own
        ObjectValue view = put("v", java.nio.ByteBuffer.wrap(bytes));
        assertThat(view.getArenaGeneration()).isZero();
        assertThat(objects.read(view, LOADER)).isEqualTo(java.nio.ByteBuffer.wrap(bytes));
    }

    @Test
    void aReaderOfAnObjectWhoseRegionIsTakenByLaterObjectsAlwaysGetsItsOwnBytes() throws Exception {
        start(4 << 20);
        byte[] a = pattern(1 << 20, 1);
        ObjectValue va = put("a", a);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<String> wrong = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!stop.get() && wrong.get() == null) {
                byte[] got = (byte[]) objects.read(va, LOADER);
                if (!java.util.Arrays.equals(got, a)) {
                    wrong.set("read " + reads.get() + " returned bytes that are not a's");
                }
                reads.incrementAndGet();
            }
        });
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() >= 20); // from the arena
            assertThat(restored.get()).isZero();
            // 3 MiB more does not fit beside a: a is spilled, and the writer takes a's region
            ObjectValue fill = put("fill", pattern(3 << 20, 2));
            assertThat(fill.getArenaOffset()).isEqualTo(va.getArenaOffset());
            store.free("fill");
            long deadline = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            for (int i = 0; System.nanoTime() < deadline && wrong.get() == null; i++) {
                ObjectValue other = put("other" + i, pattern(1 << 20, 100 + i)); // over a's old region again
                assertThat(other.getArenaOffset()).isEqualTo(va.getArenaOffset());
                store.free("other" + i);
            }
        } finally {
            stop.set(true);
            reader.join();
        }
        assertThat(wrong.get()).isNull();
        assertThat(restored.get()).as("reads after the spill came from the spill file").isPositive();
        assertThat(reads.get()).isGreaterThan(20 + restored.get() / 2);
    }
}

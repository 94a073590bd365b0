package io.sonde;

import io.sonde.proto.ObjectStoreStats;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The shared-memory object store on real worker JVMs: large values go through shared memory,
 * byte-identical both ways; a ByteBuffer is read as a view of the mapping; a writer killed
 * mid-write leaves nothing sealed and no space taken. What must not be lost: a byte of a value.
 */
class ObjectStoreTest {
    private static final int GIB = 1 << 30;
    private static final Duration GET = Duration.ofSeconds(120);

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2).workerJvmOption("-Xmx3g");

    /** Bytes that differ from one 8-byte word to the next, so a shifted or torn copy shows; fast for a GiB. */
    static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        java.nio.LongBuffer words = java.nio.ByteBuffer.wrap(b).asLongBuffer();
        for (int i = 0; words.hasRemaining(); i++) {
            words.put((i + 1L) * 0x9E3779B97F4A7C15L ^ seed);
        }
        for (int i = size & ~7; i < size; i++) {
            b[i] = (byte) (i ^ seed);
        }
        return b;
    }

    static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    private static ObjectStoreStats stats() {
        return cluster.nodeManager().objectStoreStats();
    }

    private static List<Path> storeFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(stats().getDirectory()))) {
            return files.toList();
        }
    }

    @Test
    void aGibibyteByteArrayPutByTheDriverIsReadByATaskByteIdentical() {
        byte[] value = pattern(GIB, 7);
        long expected = crc(value);
        ObjectRef<byte[]> ref = Sonde.put(value);
        value = null;
        assertThat(stats().getUsedBytes()).isGreaterThanOrEqualTo(GIB);
        ObjectRef<Long> read = Sonde.task((byte[] b) -> b.length == GIB ? crc(b) : -b.length, ref).remote();
        assertThat(Sonde.get(read, GET)).isEqualTo(expected);
    }

    @Test
    void aGibibyteByteArrayReturnedByATaskIsReadByTheDriverByteIdentical() {
        ObjectRef<byte[]> ref = Sonde.task(() -> pattern(GIB, 11)).remote();
        byte[] got = Sonde.get(ref, GET);
        assertThat(got).hasSize(GIB);
        assertThat(crc(got)).isEqualTo(crc(pattern(GIB, 11)));
    }

    @Test
    void aByteBufferIsReadAsAReadOnlyViewOfTheMappingWithoutACopy() {
        ByteBuffer direct = ByteBuffer.allocateDirect(4 << 20);
        direct.put(pattern(4 << 20, 3)).flip();
        ObjectRef<ByteBuffer> ref = Sonde.put(direct);
        // read in a task: a read-only, direct view of the store's mapping, with the bytes put
        String seen = Sonde.get(Sonde.task((ByteBuffer b) -> {
            byte[] copy = new byte[b.remaining()];
            b.duplicate().get(copy);
            return b.isReadOnly() + " " + b.isDirect() + " " + (b instanceof MappedByteBuffer) + " " + crc(copy);
        }, ref).remote(), GET);
        assertThat(seen).isEqualTo("true true true " + crc(pattern(4 << 20, 3)));
        // and in the driver
        ByteBuffer got = Sonde.get(ref);
        assertThat(got.isReadOnly()).isTrue();
        assertThat(got).isInstanceOf(MappedByteBuffer.class);
        assertThat(got.remaining()).isEqualTo(4 << 20);
        assertThat(got).isEqualTo(direct.duplicate().rewind());
    }

    @Test
    void smallValuesStayInlineAndLargeOnesGoToTheStore() throws IOException {
        long before = stats().getUsedBytes();
        int objects = stats().getObjects();
        ObjectRef<byte[]> small = Sonde.put(new byte[50_000]);
        assertThat(stats().getUsedBytes()).isEqualTo(before);
        ObjectRef<byte[]> large = Sonde.put(new byte[200_000]);
        // a byte array goes into a region of the arena: its tag and bytes after the region's
        // 8-byte generation word, rounded up to 64 bytes
        assertThat(stats().getUsedBytes()).isEqualTo(before + (8 + 200_001 + 63) / 64 * 64);
        assertThat(stats().getObjects()).isEqualTo(objects + 1);
        assertThat(storeFiles()).noneMatch(p -> p.getFileName().toString().equals(large.id()))
                .noneMatch(p -> p.getFileName().toString().equals(small.id()));
        // a ByteBuffer is read back as a view of its memory: a file of its own, never reused while viewed
        ObjectRef<ByteBuffer> buffer = Sonde.put(ByteBuffer.wrap(new byte[200_000]));
        assertThat(storeFiles()).anyMatch(p -> p.getFileName().toString().equals(buffer.id()));
        assertThat(Sonde.get(small)).hasSize(50_000);
        assertThat(Sonde.get(large)).hasSize(200_000);
    }

    /** A value larger than the store's threshold, whose serialization stops halfway until its worker is killed. */
    static final class StuckMidWrite implements Serializable {
        private static final long serialVersionUID = 1L;
        final byte[] head = pattern(1 << 20, 5);
        final transient String marker;

        StuckMidWrite(String marker) {
            this.marker = marker;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            out.flush();
            Files.writeString(Path.of(marker), Long.toString(ProcessHandle.current().pid()));
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                throw new IOException("interrupted");
            }
        }
    }

    @Test
    void aWorkerKilledMidWriteLeavesNoSealedObjectAndNoSpaceTaken() throws Exception {
        Path marker = Files.createTempFile("sonde-midwrite", ".pid");
        Files.delete(marker);
        String m = marker.toString();
        long usedBefore = stats().getUsedBytes();
        ObjectRef<StuckMidWrite> ref = Sonde.task(() -> new StuckMidWrite(m)).name("stuck").maxRetries(0).remote();
        await().atMost(GET).until(() -> Files.exists(marker) && !Files.readString(marker).isEmpty());
        long pid = Long.parseLong(Files.readString(marker).trim());
        // it is writing: its part-written file is there, under a name no reader opens
        assertThat(storeFiles()).anyMatch(p -> p.getFileName().toString().startsWith(ref.id() + ".")
                && p.getFileName().toString().endsWith(".tmp"));
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        Throwable t = catchThrowable(() -> Sonde.get(ref, GET));
        assertThat(t).isInstanceOf(WorkerCrashedException.class);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(storeFiles()).noneMatch(p -> p.getFileName().toString().startsWith(ref.id())));
        assertThat(stats().getUsedBytes()).isEqualTo(usedBefore);
        Files.deleteIfExists(marker);
    }
}

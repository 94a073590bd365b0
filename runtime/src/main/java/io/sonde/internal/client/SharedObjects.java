package io.sonde.internal.client;

import com.google.protobuf.ByteString;
import io.sonde.ObjectLostException;
import io.sonde.ObjectStoreFullException;
import io.sonde.internal.serialization.ArenaMapping;
import io.sonde.internal.serialization.SerializationException;
import io.sonde.internal.serialization.Serializer;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.Registered;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * This process's side of its node's shared-memory object store: large values are written to, and
 * read from, the store's files directly, never through the node manager.
 *
 * <p>A write asks the node for room first ({@link Node#reserve}, which waits while the node
 * spills: back-pressure), writes {@code <id>.<client>.tmp} and renames it {@code <id>}: the
 * rename seals it, so no reader ever sees part of an object. A value that needs Java
 * serialization has no size up front: it is streamed to the file once it outgrows the threshold,
 * and room is asked for before the rename.
 *
 * <p>A read maps the file read-only: a {@link ByteBuffer} value is a view of the mapping, a byte
 * array or string one copy of it. An object that was spilled is read from its spill file.
 *
 * <p>Thread-safe and stateless past construction.
 */
final class SharedObjects {
    /** Mappings are at most this large; objects beyond 2 GiB are read as several. */
    private static final long CHUNK = 1L << 30;
    /** Streamed writes go to the file through a buffer this large. */
    private static final int STREAM_BUFFER = 1 << 20;
    /** A known-size value goes to its file this much per write(2): the JDK's temporary buffer stays small. */
    private static final int WRITE_SLICE = 4 << 20;

    /**
     * Room the node gave a writer: a region of the arena when {@code generation} is not 0, else a
     * file of its own, over the freed file {@code recycled} when that is not null.
     */
    record Reservation(String recycled, long arenaOffset, long generation) {
        static final Reservation FILE = new Reservation(null, -1, 0);

        boolean inArena() {
            return generation != 0;
        }
    }

    /** What the store needs of the node manager, through this client's connection. */
    interface Node {
        /**
         * Waits until the node has room for {@code size} bytes of {@code objectId}; throws
         * ObjectStoreFullException when it never will. A freed file to write over (its pages are
         * in memory already) only when {@code mayRecycle}; a region of the arena only when
         * {@code arena}.
         */
        Reservation reserve(String objectId, long size, boolean mayRecycle, boolean arena);

        /** A ByteBuffer view of this file is handed out: the node must never write over it. Waits for the node. */
        void viewed(String fileName);

        /** The write failed after its room was granted: give the room back. */
        void abandon(String objectId);

        /** An object was read back from its spill file. */
        void restored(String objectId, long bytes);
    }

    private final Path dir;
    private final Path spillDir;
    private final long threshold;
    private final String clientId;
    private final Node node;
    private final boolean enabled;
    /** The node's arena, mapped on first use and for the life of the process; null without one. */
    private final ArenaMapping arena;

    SharedObjects(Registered info, Node node) {
        this.dir = info.getObjectStoreDir().isEmpty() ? null : Path.of(info.getObjectStoreDir());
        this.spillDir = info.getObjectSpillDir().isEmpty() ? null : Path.of(info.getObjectSpillDir());
        this.threshold = info.getObjectStoreThreshold();
        this.clientId = info.getClientId();
        this.node = node;
        // a client on another host cannot see the node's directory: its values stay inline
        this.enabled = dir != null && threshold > 0 && Files.isDirectory(dir) && Files.isWritable(dir);
        this.arena = enabled && !info.getObjectStoreArena().isEmpty()
                ? new ArenaMapping(Path.of(info.getObjectStoreArena()), info.getObjectStoreArenaLength()) : null;
    }

    /**
     * How many bytes this process puts into the store before it has its garbage collected (see
     * CoreClient#collectGarbage): an eighth of the store, between 64 and 512 MiB. Kept small, the
     * objects of a put-and-drop loop take the same pages of the arena over and over, already in
     * memory, instead of fresh ones the kernel must find and clear (measured here for 100 MiB
     * puts: 6-7 GB/s into pages in use against 0.1-0.7 into fresh ones, a collection 30-50 ms).
     */
    long collectEvery() {
        return arena == null ? Long.MAX_VALUE : Math.max(64L << 20, Math.min(512L << 20, arena.length() / 8));
    }

    /** Lets go of the arena's mapping: the client is closing, nothing reads or writes any more. */
    void close() {
        if (arena != null) {
            arena.close();
        }
    }

    boolean enabled() {
        return enabled;
    }

    /**
     * {@code value} stored as object {@code id}: in the store when its encoding is larger than the
     * threshold, else inline.
     *
     * @throws SerializationException  when the value cannot be serialized
     * @throws ObjectStoreFullException when the store has no room and nothing can be spilled
     */
    ObjectValue encode(String id, Object value) {
        if (!enabled || Serializer.isSmall(value)) {
            return Serializer.value(value);
        }
        Serializer.Direct direct = Serializer.direct(value);
        if (direct != null) {
            long size = direct.size();
            if (size <= threshold) {
                return Serializer.value(value);
            }
            boolean toArena = arena != null && !direct.readAsView() && size <= ArenaMapping.CHUNK / 2;
            Reservation r = node.reserve(id, size, true, toArena);
            if (r.inArena()) {
                return writeArena(id, direct, size, r);
            }
            writeFile(id, direct, size, r.recycled());
            return shared(id, size);
        }
        ThresholdStream out = new ThresholdStream(id);
        try {
            Serializer.writeJavaTo(value, out);
        } catch (RuntimeException e) {
            out.discard();
            throw e;
        }
        if (out.file == null) {
            return ObjectValue.newBuilder().setData(out.heap.toByteString()).build();
        }
        long size = out.size;
        try {
            out.closeFile();
        } catch (IOException e) {
            out.discard();
            throw writeFailed(id, size, e);
        }
        try {
            node.reserve(id, size, false, false);
        } catch (RuntimeException e) {
            out.discard();
            throw e;
        }
        seal(id, out.file, size);
        return shared(id, size);
    }

    private static ObjectValue shared(String id, long size) {
        return ObjectValue.newBuilder().setSharedSize(size).setSharedId(id).build();
    }

    /**
     * Writes a value into its region of the arena: one copy, into pages this process has mapped
     * already (from the second object on), at memory speed. A /dev/shm too full to give the
     * region its pages makes the copy fault: the room goes back and the put fails with why.
     */
    private ObjectValue writeArena(String id, Serializer.Direct direct, long size, Reservation r) {
        try {
            arena.write(r.arenaOffset(), r.generation(), direct.tag(), direct.body());
        } catch (InternalError | RuntimeException e) { // the JVM's word for a SIGBUS in a copy to a mapping
            node.abandon(id);
            throw writeFailed(id, size, e);
        }
        return ObjectValue.newBuilder().setSharedSize(size).setSharedId(id).setArenaOffset(r.arenaOffset())
                .setArenaGeneration(r.generation()).build();
    }

    /**
     * Writes a value of known size to its file with write(2), 4 MiB at a time: one copy into the
     * file's pages (two for a heap array, through the JDK's temporary direct buffer), and a full
     * /dev/shm is an error, not a SIGBUS. Over a recycled file when the node gave one, whose pages
     * are in memory already. Measured here for 100 MiB: a fresh file 1.5 GB/s by write(2) against
     * 0.8 through a mapping (the kernel faults each page in), a recycled one 3.1 against 1.6.
     */
    private void writeFile(String id, Serializer.Direct direct, long size, String recycled) {
        Path tmp = dir.resolve(tempName(id));
        boolean fresh = true;
        if (recycled != null) {
            try {
                Files.move(dir.resolve(recycled), tmp, StandardCopyOption.ATOMIC_MOVE);
                fresh = false;
            } catch (IOException gone) {
                // deleted meanwhile (the node stops): write a fresh file
            }
        }
        try (FileChannel ch = fresh
                ? FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
                : FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ByteBuffer tag = ByteBuffer.allocate(1).put(0, direct.tag());
            while (tag.hasRemaining()) {
                ch.write(tag);
            }
            ByteBuffer body = direct.body().duplicate();
            while (body.hasRemaining()) {
                ByteBuffer part = body.slice();
                part.limit(Math.min(WRITE_SLICE, part.remaining()));
                int n = part.remaining();
                while (part.hasRemaining()) {
                    ch.write(part);
                }
                body.position(body.position() + n);
            }
        } catch (IOException e) {
            delete(tmp);
            node.abandon(id);
            throw writeFailed(id, size, e);
        }
        seal(id, tmp, size);
    }

    /** Renames the written file to the object's name: from now on readers see all of it. */
    private void seal(String id, Path tmp, long size) {
        try {
            Files.move(tmp, dir.resolve(id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            delete(tmp);
            node.abandon(id);
            throw writeFailed(id, size, e);
        }
    }

    private ObjectStoreFullException writeFailed(String id, long size, Throwable e) {
        return new ObjectStoreFullException("object " + id + " (" + size + " bytes) could not be written to the object"
                + " store's shared memory in " + dir + ": " + e + ". Free shared memory (df " + dir.getParent()
                + "), or start the node with a smaller --object-store-memory", e);
    }

    private String tempName(String id) {
        return id + "." + clientId + ".tmp";
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads a value kept in the store ({@code v.shared_size > 0}) with {@code loader}: from its
     * region of the arena while it is there, else from its file (or spill file).
     */
    Object read(ObjectValue v, ClassLoader loader) {
        if (v.getArenaGeneration() != 0 && arena != null) {
            try {
                Optional<Object> value = arena.read(v.getArenaOffset(), v.getArenaGeneration(), v.getSharedSize(),
                        bytes -> Serializer.decode(new ByteBuffer[] {bytes}, loader));
                if (value.isPresent()) {
                    return value.get();
                }
            } catch (InternalError cut) {
                // the node was giving the arena's idle tail back: the object is not there any more
            }
            // it left its region: spilled (its spill file), else freed
            return Serializer.decodeMapped(mapSpilled(v.getSharedId(), v.getSharedSize()), loader);
        }
        return Serializer.decodeMapped(map(v.getSharedId(), v.getSharedSize()), loader);
    }

    private ObjectLostException lost(String id) {
        return new ObjectLostException("object " + id + " is in neither the object store's shared memory (" + dir
                + ") nor its spill directory (" + spillDir + "): it was freed before this read (every ref to it was"
                + " released, or its job ended), or its files were removed. Keep a ref to it for as long as it is needed");
    }

    /** Maps the object read-only: from shared memory, else from its spill file. */
    private ByteBuffer[] map(String id, long size) {
        if (dir == null) {
            throw new ObjectLostException("object " + id + " is in the object store of its node, which this process"
                    + " cannot reach (it runs on another host); read it from a task on that node instead");
        }
        try {
            return map(dir.resolve(id), size);
        } catch (NoSuchFileException notInMemory) {
            // spilled: a spill renames the copy into place before it unlinks the shared-memory file
        } catch (IOException e) {
            throw unreadable(id, dir.resolve(id), e);
        }
        return mapSpilled(id, size);
    }

    /** Maps the object's spill file read-only, and tells the node it was restored; lost when there is none. */
    private ByteBuffer[] mapSpilled(String id, long size) {
        Path spilled = spillDir == null ? null : spillDir.resolve(id);
        try {
            if (spilled != null) {
                ByteBuffer[] b = map(spilled, size);
                node.restored(id, size);
                return b;
            }
        } catch (NoSuchFileException gone) {
            // neither file: freed
        } catch (IOException e) {
            throw unreadable(id, spilled, e);
        }
        throw lost(id);
    }

    private static ByteBuffer[] map(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long actual = ch.size();
            if (actual < size) { // a recycled file may be longer than its object
                throw new IOException("the file holds " + actual + " bytes, fewer than the " + size + " the object has");
            }
            int n = (int) ((size + CHUNK - 1) / CHUNK);
            if (size <= Integer.MAX_VALUE) {
                n = 1;
            }
            ByteBuffer[] chunks = new ByteBuffer[n];
            for (int i = 0; i < n; i++) {
                long at = n == 1 ? 0 : i * CHUNK;
                long len = n == 1 ? size : Math.min(CHUNK, size - at);
                chunks[i] = ch.map(FileChannel.MapMode.READ_ONLY, at, len);
            }
            return chunks;
        }
    }

    private static ObjectLostException unreadable(String id, Path file, IOException e) {
        return new ObjectLostException("object " + id + " cannot be read from " + file + ": " + e, e);
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the node deletes a dead writer's files; this one's go with the node's directory
        }
    }

    /**
     * Java serialization's output: in the heap while it is small, then in the object's file. Its
     * size is known only at the end.
     */
    private final class ThresholdStream extends OutputStream {
        private final String id;
        final ByteString.Output heap = ByteString.newOutput(256);
        Path file;
        private FileChannel channel;
        private OutputStream out = heap;
        long size;

        ThresholdStream(String id) {
            this.id = id;
        }

        private void grow(int more) throws IOException {
            size += more;
            if (file == null && size > threshold) {
                file = dir.resolve(tempName(id));
                channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                out = new BufferedOutputStream(Channels.newOutputStream(channel), STREAM_BUFFER);
                heap.writeTo(out);
            }
        }

        @Override
        public void write(int b) throws IOException {
            grow(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            grow(len);
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() {
            // Java serialization closes its stream at the end: the file stays open until closeFile
        }

        void closeFile() throws IOException {
            out.flush();
            channel.close();
        }

        void discard() {
            if (file != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // deleting it is what matters
                }
                delete(file);
            }
        }
    }
}

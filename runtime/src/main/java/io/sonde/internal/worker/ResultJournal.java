package io.sonde.internal.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker's record of the task results it sent that the node may not have yet: a file mapped
 * into the worker's memory, which the node reads once the worker's process has exited.
 *
 * <p>The worker appends each result before it sends it and goes on with its next task without
 * waiting for the node's receipt ({@code TaskTaken}). What a process wrote into a shared mapping
 * is in the kernel's page cache the moment it is written, so it outlives the process however it
 * ends (SIGKILL, {@code Runtime.halt}, a JVM crash), though not the machine. The node, when the
 * process has exited and its stream has delivered what it could, takes from here the results it
 * never received; so a finished call's result is never lost with its process, and the call that
 * was running when it died is the oldest without a result.
 *
 * <pre>
 *   0        8                                                           CAPACITY
 *   │ end    │ [len][TaskDone bytes] [len][TaskDone bytes] ...  │ (free)  │
 *   └─ offset past the last complete entry, written after the entry: a reader never sees half of one
 * </pre>
 *
 * <p>The journal is reset (to empty) only when the node has taken every result in it; a result
 * larger than {@link #MAX_ENTRY} is not journaled, and the worker waits for its receipt instead.
 * The worker asks for receipts only once the journal is {@linkplain #pastHalf() past half full}:
 * since no entry is larger than a quarter of it, the journal cannot go from under half to full in
 * one append, so by the time it is full the last result sent has asked for its receipt, which
 * covers every result before it. A journal past half full whose receipts have all come is
 * reset before the next append, so a worker asks for a few receipts per half journal of results.
 * One writer (the task thread); the node reads only after the writer's process is gone.
 */
public final class ResultJournal {
    /** The size of the file; only the pages written to take memory. */
    public static final int CAPACITY = 1 << 20;
    /** The largest entry journaled; a larger result is sent and waited for. */
    public static final int MAX_ENTRY = CAPACITY / 4;
    private static final int HEADER = Long.BYTES;

    private final MappedByteBuffer map;
    private int end = HEADER;

    private ResultJournal(MappedByteBuffer map) {
        this.map = map;
    }

    /** Creates (or empties) the journal at {@code file}, readable by its owner only, and maps it. */
    public static ResultJournal create(Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, CAPACITY);
            map.putLong(0, HEADER);
            return new ResultJournal(map);
        }
    }

    /** Whether an entry of this size is ever journaled. */
    public static boolean fits(int bytes) {
        return bytes <= MAX_ENTRY;
    }

    /**
     * Appends an entry; false when it does not fit in what is left (reset once the node took all,
     * then append again).
     */
    public boolean append(byte[] entry) {
        if (!fits(entry.length) || end + Integer.BYTES + entry.length > CAPACITY) {
            return false;
        }
        map.putInt(end, entry.length);
        map.put(end + Integer.BYTES, entry);
        end += Integer.BYTES + entry.length;
        map.putLong(0, end); // last: the entry is complete before the end says so
        return true;
    }

    /** Whether more than half of the journal is used: results appended now ask for their receipt. */
    public boolean pastHalf() {
        return end > CAPACITY / 2;
    }

    /** Empties the journal: the node has every result in it. */
    public void reset() {
        end = HEADER;
        map.putLong(0, HEADER);
    }

    /**
     * The entries of the journal at {@code file}, oldest first; empty when there is no such file.
     * What follows a damaged length (the file was not written by a journal) is left out.
     */
    public static List<byte[]> read(Path file) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<byte[]> entries = new ArrayList<>();
        if (all.length < HEADER) {
            return entries;
        }
        ByteBuffer b = ByteBuffer.wrap(all);
        long end = Math.min(b.getLong(0), all.length);
        int at = HEADER;
        while (at + Integer.BYTES <= end) {
            int len = b.getInt(at);
            if (len < 0 || at + Integer.BYTES + (long) len > end) {
                break;
            }
            byte[] entry = new byte[len];
            b.get(at + Integer.BYTES, entry);
            entries.add(entry);
            at += Integer.BYTES + len;
        }
        return entries;
    }
}

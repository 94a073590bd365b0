package io.sonde.internal.node.object;

import io.sonde.internal.serialization.ArenaMapping;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The free and taken space of the object store's arena: one long file that every client of the
 * node keeps mapped, so that a write or a read of an object is a copy at memory speed instead of a
 * file created, mapped and faulted in page by page.
 *
 * <p>Address-ordered first fit: objects pack towards the start, which keeps the arena's pages in
 * use few and lets a long-idle tail be given back to the system ({@link #liveEnd}). No region
 * crosses a {@link #CHUNK} boundary, so a client maps the arena in pieces of that size and reads
 * every object from one of them. Regions start and end on {@link #ALIGN} bytes.
 *
 * <p>Not thread-safe: the store's monitor guards it.
 */
final class ArenaSpace {
    /** Clients map the arena in pieces this large; no region crosses one's end. */
    static final long CHUNK = ArenaMapping.CHUNK;
    /** Regions start and end on this many bytes: a cache line, and 8-byte aligned for the generation word. */
    static final long ALIGN = 64;

    private final long length;
    /** Free extents, start → length, never adjacent (merged on release). */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    /** Taken regions, start → length. */
    private final TreeMap<Long, Long> taken = new TreeMap<>();
    private long takenBytes;
    /** The end of the highest region taken since the last {@link #trimmed}: the arena's pages that may be in memory. */
    private long highWater;

    ArenaSpace(long length) {
        if (length < ALIGN) {
            throw new IllegalArgumentException("the arena must be at least " + ALIGN + " bytes long, got " + length);
        }
        this.length = length / ALIGN * ALIGN;
        free.put(0L, this.length);
    }

    long length() {
        return length;
    }

    /** The length a region for {@code bytes} takes. */
    static long regionLength(long bytes) {
        return (bytes + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Whether an object of {@code bytes} could ever fit in one region. */
    boolean fits(long bytes) {
        return bytes > 0 && regionLength(bytes) <= Math.min(CHUNK, length);
    }

    /**
     * Takes a region of {@link #regionLength}({@code bytes}): its start, the lowest that fits, or
     * -1 when no free extent holds it (the arena is full or broken up).
     */
    long take(long bytes) {
        if (!fits(bytes)) {
            return -1;
        }
        long need = regionLength(bytes);
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            long start = e.getKey();
            long end = start + e.getValue();
            long at = start;
            if (at / CHUNK != (at + need - 1) / CHUNK) {
                at = (at / CHUNK + 1) * CHUNK; // would cross a chunk's end: start at the next chunk
            }
            if (at + need <= end) {
                free.remove(start);
                if (at > start) {
                    free.put(start, at - start);
                }
                if (at + need < end) {
                    free.put(at + need, end - at - need);
                }
                taken.put(at, need);
                takenBytes += need;
                highWater = Math.max(highWater, at + need);
                return at;
            }
        }
        return -1;
    }

    /** Gives back the region that starts at {@code start}; its neighbours merge with it. */
    void release(long start) {
        Long need = taken.remove(start);
        if (need == null) {
            throw new IllegalStateException("no region of the arena starts at " + start);
        }
        takenBytes -= need;
        addFree(start, start + need);
    }

    private void addFree(long from, long to) {
        Map.Entry<Long, Long> before = free.floorEntry(from);
        if (before != null && before.getKey() + before.getValue() == from) {
            from = before.getKey();
            free.remove(from);
        }
        Long after = free.get(to);
        if (after != null) {
            free.remove(to);
            to += after;
        }
        free.put(from, to - from);
    }

    /**
     * Takes the arena from {@code from} to its end, so nothing is placed there while its pages are
     * given back; whether that whole tail was free ({@code from} may be inside a free extent).
     */
    boolean holdTail(long from) {
        Map.Entry<Long, Long> last = free.floorEntry(from);
        if (from % ALIGN != 0 || last == null || last.getKey() + last.getValue() != length) {
            return false;
        }
        free.remove(last.getKey());
        if (last.getKey() < from) {
            free.put(last.getKey(), from - last.getKey());
        }
        return true;
    }

    /** Frees the tail held since {@link #holdTail}({@code from}). */
    void releaseTail(long from) {
        addFree(from, length);
    }

    /** The length of the region at {@code start}, or -1. */
    long regionAt(long start) {
        Long need = taken.get(start);
        return need == null ? -1 : need;
    }

    long takenBytes() {
        return takenBytes;
    }

    /** The end of the highest region taken now: past it, nothing is in use. */
    long liveEnd() {
        Map.Entry<Long, Long> last = taken.lastEntry();
        return last == null ? 0 : last.getKey() + last.getValue();
    }

    /** The end of the highest region taken since the tail was last given back. */
    long highWater() {
        return highWater;
    }

    /** The arena past {@code end} was given back to the system (its pages are holes again). */
    void trimmed(long end) {
        highWater = Math.min(highWater, Math.max(end, liveEnd()));
    }

    /** Free extents, for tests and figures: how broken up the arena is. */
    int freeExtents() {
        return free.size();
    }

    /** The largest free extent. */
    long largestFree() {
        long max = 0;
        for (Iterator<Long> it = free.values().iterator(); it.hasNext(); ) {
            max = Math.max(max, it.next());
        }
        return max;
    }
}

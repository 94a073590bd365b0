package io.sonde.internal.node.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * The node's memory samples of the last hour: the first sample of each second, in a ring buffer
 * of {@value #CAPACITY}, so that a dashboard can draw the node's memory and its memory per
 * component over time whatever the monitor's refresh. Thread-safe: the monitor adds on its thread,
 * the node's API reads on transport threads; the lock is this object's own and nothing is called
 * while holding it.
 */
public final class MemoryHistory {
    static final int CAPACITY = 3600;
    private static final long SPACING_MS = 1000;

    private final MemoryMonitor.Sample[] ring = new MemoryMonitor.Sample[CAPACITY];
    private int next;
    private int size;

    /** Keeps the sample if it is the first of its second; returns whether it kept it. */
    public synchronized boolean add(MemoryMonitor.Sample s) {
        if (size > 0) {
            MemoryMonitor.Sample newest = ring[(next - 1 + CAPACITY) % CAPACITY];
            if (s.atMillis() / SPACING_MS == newest.atMillis() / SPACING_MS) {
                return false;
            }
        }
        ring[next] = s;
        next = (next + 1) % CAPACITY;
        size = Math.min(CAPACITY, size + 1);
        return true;
    }

    /** The samples taken at or after {@code sinceMillis}, oldest first. */
    public synchronized List<MemoryMonitor.Sample> since(long sinceMillis) {
        List<MemoryMonitor.Sample> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            MemoryMonitor.Sample s = ring[(next - size + i + CAPACITY) % CAPACITY];
            if (s.atMillis() >= sinceMillis) {
                out.add(s);
            }
        }
        return out;
    }

    /** How many samples it holds. */
    public synchronized int size() {
        return size;
    }
}

package io.sonde.profiler.plugin;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.sonde.profiler.proto.HeapAfterGc;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The Java heap in use right after each garbage collection of this JVM, for the node's leak
 * detection: the sum of the heap pools' use after the collection, from the collectors'
 * notifications ({@link GarbageCollectionNotificationInfo}). Collections that run beside the
 * program (G1's concurrent cycle) say nothing of what is left, and are skipped.
 *
 * <p>Threads: the JVM calls the listener on its notification thread, which only builds a message
 * and hands it to {@code send} (which only enqueues).
 */
final class GcWatch implements NotificationListener, AutoCloseable {
    private final Consumer<HeapAfterGc> send;
    private final Set<String> heapPools;
    private final List<NotificationEmitter> emitters = new ArrayList<>();

    GcWatch(Consumer<HeapAfterGc> send) {
        this.send = send;
        this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName).collect(Collectors.toUnmodifiableSet());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(this, null, null);
                emitters.add(emitter);
            }
        }
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        if (info.getGcName().contains("Concurrent")) {
            return; // a concurrent cycle (G1's, ZGC's) ends while the program allocates: no floor to read
        }
        send.accept(HeapAfterGc.newBuilder().setAtMs(System.currentTimeMillis())
                .setUsed(heapUsed(info.getGcInfo().getMemoryUsageAfterGc()))
                .setGc(info.getGcName() + " (" + info.getGcCause() + ")").build());
    }

    /** The heap pools' use in a collection's figures (the others: metaspace, code cache). */
    long heapUsed(Map<String, MemoryUsage> pools) {
        long used = 0;
        for (Map.Entry<String, MemoryUsage> e : pools.entrySet()) {
            if (heapPools.contains(e.getKey())) {
                used += e.getValue().getUsed();
            }
        }
        return used;
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(this);
            } catch (ListenerNotFoundException ignored) {
                // not registered: nothing to remove
            }
        }
    }
}

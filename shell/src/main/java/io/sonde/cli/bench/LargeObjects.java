package io.sonde.cli.bench;

import io.grpc.ManagedChannel;
import io.sonde.InitOptions;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.proto.Empty;
import io.sonde.proto.NodeManagerGrpc;
import io.sonde.proto.ObjectStoreStats;
import io.sonde.tooling.HostedNode;
import io.sonde.tooling.NodeChannels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The shared-memory object store's metrics, in GB/s of {@code plan.largeBytes()} byte[] objects
 * (100 MiB, as Ray's numpy arrays): {@code memcpy_gigabytes} (a copy in this process, the
 * yardstick), {@code single_client_put_gigabytes} and {@code single_client_get_gigabytes}, each
 * with its share of memcpy's figure, and {@code spill_gigabytes}. They run in that order, so the
 * put and get lines can print their ratio to the copy.
 *
 * <p>Objects leave the store when the garbage collector collects their last ref: the put metric
 * drops each ref at once, and says in its line if the store spilled anyway while it ran.
 */
final class LargeObjects {
    private static final double GIB = 1024.0 * 1024 * 1024;
    /** A joined head whose store holds more than this is not filled to measure spilling. */
    static final long REMOTE_SPILL_LIMIT = 1L << 30;

    private final InitOptions cluster;
    private double memcpy = Double.NaN;
    private String putNote = "";
    private String getNote = "";
    private String spillNote = "";

    LargeObjects(InitOptions cluster) {
        this.cluster = cluster;
    }

    List<Metric> metrics() {
        return List.of(memcpy(), put(), get(), spill());
    }

    private Metric memcpy() {
        return Metric.of("memcpy_gigabytes", true, Double.NaN, plan -> {
            byte[] src = new byte[plan.largeBytes()];
            byte[] dst = new byte[plan.largeBytes()];
            Measurement m = Rounds.perSecond(plan, () -> {
                System.arraycopy(src, 0, dst, 0, src.length);
                return src.length / 1e9;
            });
            memcpy = m.mean();
            return m;
        });
    }

    private Metric put() {
        return noted("single_client_put_gigabytes", 20, () -> putNote, plan -> {
            byte[] payload = new byte[plan.largeBytes()];
            System.gc(); // untimed: the garbage of the metrics before this one is not this metric's cost
            ObjectStoreStats before = stats();
            // Each ref is dropped at once, and released when the collector finds it: the driver
            // has its garbage collected after every eighth of the store it puts (at most 512 MiB),
            // timed here as a user's program pays it.
            Measurement m = Rounds.perSecond(plan, plan.largePerRound(), () -> {
                Sonde.put(payload);
                return payload.length / 1e9;
            });
            long spilled = stats().getSpilledBytes() - before.getSpilledBytes();
            putNote = String.join("; ", List.of(ofMemcpy(m), "refs dropped at once").stream()
                    .filter(n -> !n.isEmpty()).toList()) + (spilled > 0
                    ? String.format(Locale.ROOT, "; the store spilled %.2f GiB meanwhile", spilled / GIB) : "");
            return m;
        });
    }

    private Metric get() {
        return noted("single_client_get_gigabytes", Double.NaN, () -> getNote, plan -> {
            ObjectRef<byte[]> ref = Sonde.put(new byte[plan.largeBytes()]);
            Measurement m = Rounds.perSecond(plan, plan.largePerRound(), () -> Sonde.get(ref).length / 1e9);
            getNote = ofMemcpy(m);
            return m;
        });
    }

    /**
     * {@code spill_gigabytes}: the store's own spill rate, spilled bytes over the time it spent
     * writing spill files, while one driver puts {@code plan.spillBytes()} into a store of
     * {@code plan.spillStoreBytes()} and keeps every ref; the line's note gives the puts' own rate
     * under spilling. Each round frees its objects before the next. On an embedded cluster the
     * metric starts one with the small store and shuts it down afterwards; on a joined head it
     * uses the head's store if that holds at most {@link #REMOTE_SPILL_LIMIT}, else it is skipped.
     */
    private Metric spill() {
        return noted("spill_gigabytes", Double.NaN, () -> spillNote, plan -> {
            long total = plan.spillBytes();
            boolean embedded = HostedNode.embedded().isPresent();
            if (embedded) {
                Sonde.shutdown();
                Sonde.init(copy(cluster).objectStoreMemory(plan.spillStoreBytes()));
            } else {
                long capacity = stats().getCapacityBytes();
                if (capacity > REMOTE_SPILL_LIMIT) {
                    throw new Skipped(String.format(Locale.ROOT, "the head's object store holds %.1f GiB; start it"
                            + " with --object-store-memory 512m (at most %d MiB) to measure spilling", capacity / GIB,
                            REMOTE_SPILL_LIMIT >> 20));
                }
                total = Math.max(total, 4 * capacity);
            }
            try {
                return spillRounds(plan, total);
            } finally {
                if (embedded) {
                    Sonde.shutdown(); // the next metric starts a cluster with the benchmark's store
                }
            }
        });
    }

    private Measurement spillRounds(Plan plan, long total) throws Exception {
        byte[] payload = new byte[plan.largeBytes()];
        int objects = (int) Math.max(1, (total + payload.length - 1) / payload.length);
        int warmups = plan.settleLimit().isZero() ? 0 : 1;
        double[] spillRates = new double[plan.timedRounds()];
        double[] putRates = new double[plan.timedRounds()];
        long spilledBytes = 0;
        for (int round = -warmups; round < spillRates.length; round++) {
            ObjectStoreStats before = stats();
            List<ObjectRef<byte[]>> kept = new ArrayList<>(objects);
            long start = System.nanoTime();
            for (int i = 0; i < objects; i++) {
                kept.add(Sonde.put(payload));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            ObjectStoreStats after = stats();
            long bytes = after.getSpilledBytes() - before.getSpilledBytes();
            long nanos = after.getSpillNanos() - before.getSpillNanos();
            if (bytes <= 0 || nanos <= 0) {
                throw new IllegalStateException(String.format(Locale.ROOT, "putting %.2f GiB into a store of %.2f GiB"
                        + " spilled nothing", (double) objects * payload.length / GIB, after.getCapacityBytes() / GIB));
            }
            if (round >= 0) {
                spillRates[round] = bytes / (nanos / 1e9) / 1e9;
                putRates[round] = (double) objects * payload.length / seconds / 1e9;
                spilledBytes += bytes;
            }
            kept.clear();
            awaitReleased(after.getObjects());
        }
        Measurement puts = Measurement.of(putRates);
        ObjectStoreStats s = stats();
        spillNote = String.format(Locale.ROOT, "spilled bytes / spill time; puts under spilling %s +- %s GB/s; %d x"
                        + " %s into a %s store, %s spilled", Microbenchmark.number(puts.mean()),
                Microbenchmark.number(puts.stddev()), spillRates.length, size((long) objects * payload.length),
                size(s.getCapacityBytes()), size(spilledBytes));
        return Measurement.of(spillRates);
    }

    /** Collects the dropped refs and waits (bounded) until the store holds and has spilled fewer objects. */
    private void awaitReleased(int heldBefore) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        do {
            System.gc();
            Thread.sleep(50);
            ObjectStoreStats s = stats();
            if (s.getSpilledBytesNow() == 0 && s.getObjects() < Math.max(1, heldBefore / 2)) {
                return;
            }
        } while (System.nanoTime() < deadline);
    }

    private static String size(long bytes) {
        return bytes >= GIB ? String.format(Locale.ROOT, "%.2f GiB", bytes / GIB)
                : String.format(Locale.ROOT, "%d MiB", Math.round(bytes / (1024.0 * 1024)));
    }

    private String ofMemcpy(Measurement m) {
        return Double.isNaN(memcpy) ? "" : String.format(Locale.ROOT, "%.2f of memcpy", m.mean() / memcpy);
    }

    /** The store's figures now, from the node that this driver's objects go to. */
    private ObjectStoreStats stats() {
        String address = HostedNode.embedded().map(HostedNode::address).orElseGet(() -> cluster.address() != null
                ? cluster.address() : System.getenv("SONDE_ADDRESS"));
        ManagedChannel channel = NodeChannels.open(address);
        try {
            return NodeManagerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listObjects(Empty.getDefaultInstance()).getStore();
        } finally {
            channel.shutdownNow();
        }
    }

    /** The benchmark's cluster options, for a cluster that differs in one setting. */
    static InitOptions copy(InitOptions o) {
        InitOptions c = new InitOptions().address(o.address()).logToDriver(o.logToDriver())
                .debugPostMortem(o.debugPostMortem());
        o.numCpus().ifPresent(c::numCpus);
        if (o.memory() > 0) {
            c.memory(o.memory());
        }
        if (o.objectStoreMemory() > 0) {
            c.objectStoreMemory(o.objectStoreMemory());
        }
        o.objectSpillingDirectory().ifPresent(c::objectSpillingDirectory);
        o.resources().forEach(c::resource);
        o.pluginOptions().forEach(c::pluginOption);
        o.workerJvmOptions().forEach(c::workerJvmOption);
        return c;
    }

    private static Metric noted(String name, double rayFigure, java.util.function.Supplier<String> note,
                                Metric.Body body) {
        return Metric.of(name, true, rayFigure, note, body);
    }
}

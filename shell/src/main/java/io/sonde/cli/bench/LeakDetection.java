package io.sonde.cli.bench;

import io.grpc.ManagedChannel;
import io.sonde.ActorHandle;
import io.sonde.InitOptions;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.profiler.proto.LeakSuspect;
import io.sonde.profiler.proto.LeaksReply;
import io.sonde.profiler.proto.LeaksRequest;
import io.sonde.profiler.proto.ProfilerGrpc;
import io.sonde.tooling.HostedNode;
import io.sonde.tooling.NodeChannels;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code leak_detect_seconds}: from the moment an actor starts leaking 50 MB a minute (it keeps a
 * 64 KB array every 75 ms, amid 20 MB a second of garbage, so that its young generation is
 * collected every few seconds) to the moment the node has profiled it and sent its driver the
 * notice (the suspect's report is written; the node's Leaks rpc is polled every 200 ms). A fresh
 * cluster with the node's default detection settings, unless the environment sets others
 * ({@code SONDE_PROFILER_LEAK_*}): a 2 min window, over which a new worker must be watched first,
 * and a 20 s profile, so a round takes about 2.5 minutes. The target is 3 minutes.
 * {@link Plan#quick()} uses a 12 s window and a 2 s profile instead, to prove the metric runs.
 */
final class LeakDetection implements Metric {
    static final double TARGET_S = 180;

    private final InitOptions cluster;
    private String seen = "";

    LeakDetection(InitOptions cluster) {
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return "leak_detect_seconds";
    }

    @Override
    public String note() {
        return "target under " + (int) TARGET_S + " s for a 50 MB/min leak" + (seen.isEmpty() ? "" : "; " + seen);
    }

    /** Keeps 50 MB a minute amid 20 MB a second of garbage until {@code stop} exists, or {@code seconds} passed. */
    public static final class Leaker {
        static final List<byte[]> KEPT = new ArrayList<>();
        static volatile byte[] sink;

        public int leak(String stop, int seconds) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!Files.exists(Path.of(stop)) && System.nanoTime() < end) {
                KEPT.add(new byte[64 * 1024]); // 64 KB every 75 ms: 50 MB a minute
                for (int i = 0; i < 24; i++) {
                    sink = new byte[64 * 1024]; // 1.5 MB of garbage every 75 ms: 20 MB a second
                }
                Thread.sleep(75);
            }
            return KEPT.size();
        }
    }

    @Override
    public Measurement measure(Plan plan) throws Exception {
        if (HostedNode.embedded().isEmpty()) {
            throw new Skipped(name() + " starts an embedded cluster of its own, and this driver joined a running one");
        }
        boolean quick = plan.warmup().compareTo(Duration.ofSeconds(1)) < 0; // Plan.quick(): only proves it runs
        InitOptions options = cluster.memory() > 0 ? OomKillReaction.withBudget(cluster, cluster.memory())
                : copy(cluster);
        if (quick) {
            options.pluginOption("profiler.leak.window", "12s").pluginOption("profiler.leak.heapRate", "20m")
                    .pluginOption("profiler.leak.profile", "2s");
        }
        Path stop = Files.createTempDirectory("sonde-leak-bench").resolve("stop");
        try {
            Sonde.shutdown();
            Sonde.init(options);
            return Measurement.of(new double[]{round(stop, quick ? 120 : 400)});
        } finally {
            Files.writeString(stop, "");
            Sonde.shutdown();
            Sonde.init(cluster);
            Files.deleteIfExists(stop);
            Files.deleteIfExists(stop.getParent());
        }
    }

    /** The cluster's options, to add the quick plan's detection settings to. */
    private static InitOptions copy(InitOptions cluster) {
        InitOptions o = new InitOptions().logToDriver(cluster.logToDriver());
        cluster.numCpus().ifPresent(o::numCpus);
        cluster.workerJvmOptions().forEach(o::workerJvmOption);
        cluster.resources().forEach(o::resource);
        cluster.pluginOptions().forEach(o::pluginOption);
        return o;
    }

    private double round(Path stop, int seconds) throws Exception {
        HostedNode node = HostedNode.embedded().orElseThrow();
        ManagedChannel channel = NodeChannels.open(node.address());
        try {
            ActorHandle<Leaker> leaker = Sonde.actor(Leaker::new).name("leaker").remote();
            Sonde.get(leaker.task(l -> 0).remote()); // its worker runs: the leak starts with the next call
            long start = System.nanoTime();
            ObjectRef<Integer> leaking = leaker.task(Leaker::leak, stop.toString(), seconds).remote();
            long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                LeaksReply reply = ProfilerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .leaks(LeaksRequest.getDefaultInstance());
                Optional<LeakSuspect> s = reply.getSuspectsList().stream().filter(x -> !x.getState().equals("profiling"))
                        .findFirst();
                if (s.isPresent()) {
                    double took = (System.nanoTime() - start) / 1e9;
                    if (!s.get().getState().equals("reported")) {
                        throw new IllegalStateException(name() + ": the leak was suspected but its profile failed: "
                                + s.get().getError());
                    }
                    seen = s.get().getGrowth();
                    Files.writeString(stop, "");
                    Sonde.get(leaking, Duration.ofSeconds(30));
                    return took;
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException(name() + ": an actor leaking 50 MB a minute was not reported within "
                    + seconds + " s");
        } finally {
            channel.shutdownNow();
        }
    }
}

package io.sonde.cli.bench;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.sonde.ActorHandle;
import io.sonde.Sonde;
import io.sonde.cli.table.ProfileTargets;
import io.sonde.profiler.proto.ProfileReply;
import io.sonde.profiler.proto.ProfileRequest;
import io.sonde.profiler.proto.ProfilerGrpc;
import io.sonde.proto.Empty;
import io.sonde.proto.NodeManagerGrpc;
import io.sonde.tooling.HostedNode;
import io.sonde.tooling.NodeChannels;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the profiler costs, on an actor's worker of the benchmark's cluster (a real worker JVM,
 * real async-profiler), through the node's profiler service as {@code sonde profile} calls it.
 *
 * <ul>
 *   <li>{@code profile_attach_ms}: from the command's start to the profiler running in the worker:
 *       a new channel to the node, the node's list of workers to find the target (as
 *       {@link ProfileTargets} does), the Profile rpc, the worker starting async-profiler
 *       ({@code --event cpu}), until its "started" answer arrives. Each repetition then lets its
 *       10 ms profile end ({@code --format flat}, so no file is written). The first one of the
 *       worker, which also loads async-profiler's library, is a warm-up; the note gives it.</li>
 *   <li>{@code alloc_profile_overhead_pct}: what an allocation profile at async-profiler's default
 *       interval (512 KiB) costs the worker's tasks: sync calls to the actor for one round each, twice as many pairs as other metrics have rounds,
 *       without and with {@code --event alloc} running on its worker, alternated (off, on, then
 *       on, off, ...) so that a drift of the machine's speed cancels; each pair's figure is
 *       {@code 100 * (1 - rate_on / rate_off)}, the metric their mean and stddev. Each profile is
 *       stopped as Ctrl-C in {@code sonde profile} stops it: its call is cancelled.</li>
 * </ul>
 */
final class ProfilerCosts implements Metric {
    enum Kind {
        ATTACH("profile_attach_ms"),
        ALLOC_OVERHEAD("alloc_profile_overhead_pct");

        final String metric;

        Kind(String metric) {
            this.metric = metric;
        }
    }

    /** Beyond a profile's own length: time to answer. */
    private static final Duration ANSWER = Duration.ofSeconds(30);

    private final Kind kind;
    private String note = "";

    ProfilerCosts(Kind kind) {
        this.kind = kind;
    }

    @Override
    public String name() {
        return kind.metric;
    }

    @Override
    public String note() {
        return note;
    }

    @Override
    public Measurement measure(Plan plan) throws Exception {
        HostedNode node = HostedNode.embedded().orElseThrow(() -> new IllegalStateException(name() + " reads the"
                + " embedded node's workers, and this driver joined a running cluster; run without --address."));
        note = "";
        ActorHandle<BenchFunctions.Echo> actor = Sonde.actor(BenchFunctions.Echo::new).remote();
        try {
            Sonde.get(actor.task(BenchFunctions.Echo::small).remote());
            String worker = node.workers().stream().filter(w -> w.getActorId().equals(actor.actorId())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the actor's worker is not listed")).getWorkerId();
            return kind == Kind.ATTACH ? attach(plan, node.address(), worker) : overhead(plan, node.address(), worker, actor);
        } finally {
            Sonde.kill(actor);
        }
    }

    private Measurement attach(Plan plan, String address, String worker) throws Exception {
        double first = attachOnce(address, worker);
        Rounds.Latencies l = Rounds.latency(plan, () -> new double[] {attachOnce(address, worker)});
        double[] all = l.samples().clone();
        java.util.Arrays.sort(all);
        note = String.format(java.util.Locale.ROOT, "median %.1f ms of %d, max %.1f; the worker's first, which loads"
                + " async-profiler, %.1f ms; target under 500 ms", all[all.length / 2], all.length, all[all.length - 1], first);
        return l.measurement();
    }

    /** One {@code sonde profile}'s way to a running profiler, in milliseconds; then its profile ends. */
    private static double attachOnce(String address, String worker) {
        long start = System.nanoTime();
        ManagedChannel channel = NodeChannels.open(address);
        try {
            ProfileTargets.Found found = ProfileTargets.find(worker, address, ProfileTargets.Lists.of(
                    () -> NodeManagerGrpc.newBlockingStub(channel).withDeadlineAfter(ANSWER.toMillis(), TimeUnit.MILLISECONDS)
                            .listWorkers(Empty.getDefaultInstance()).getWorkersList(), List::of, List::of));
            Iterator<ProfileReply> replies = ProfilerGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(ANSWER.toMillis(), TimeUnit.MILLISECONDS)
                    .profile(ProfileRequest.newBuilder().setTarget(found.target()).setEvent("cpu").setDurationMs(10)
                            .setFormat("flat").build());
            ProfileReply r = replies.next();
            double millis = (System.nanoTime() - start) / 1e6;
            if (!r.hasStarted()) {
                throw new IllegalStateException("the profile did not start: " + r);
            }
            while (replies.hasNext()) {
                replies.next(); // its result: the profile ended, the worker can take the next one
            }
            return millis;
        } finally {
            channel.shutdownNow();
        }
    }

    private Measurement overhead(Plan plan, String address, String worker, ActorHandle<BenchFunctions.Echo> actor)
            throws Exception {
        Rounds.Batch call = () -> {
            Sonde.get(actor.task(BenchFunctions.Echo::small).remote());
            return 1;
        };
        rate(plan.warmup(), call);
        ManagedChannel channel = NodeChannels.open(address);
        try {
            ProfileRequest alloc = ProfileRequest.newBuilder().setTarget(ProfileTargets.find(worker, address,
                            ProfileTargets.Lists.of(() -> NodeManagerGrpc.newBlockingStub(channel)
                                    .listWorkers(Empty.getDefaultInstance()).getWorkersList(), List::of, List::of)).target())
                    .setEvent("alloc").setDurationMs(TimeUnit.MINUTES.toMillis(10)).setFormat("flat").build();
            int pairs = 2 * plan.timedRounds(); // a pair is noisier than a round of one rate: twice as many
            double[] pct = new double[pairs];
            double on = 0;
            double off = 0;
            for (int i = 0; i < pairs; i++) {
                double without;
                double with;
                if (i % 2 == 0) {
                    without = rate(plan.round(), call);
                    with = profiled(channel, alloc, plan.round(), call);
                } else {
                    with = profiled(channel, alloc, plan.round(), call);
                    without = rate(plan.round(), call);
                }
                pct[i] = 100 * (1 - with / without);
                on += with / pairs;
                off += without / pairs;
            }
            Measurement m = Measurement.of(pct);
            note = (Math.abs(m.mean()) < 2 * m.stddev() ? "within the noise: under 2 stddev from 0; " : "")
                    + "sync actor calls/s " + Microbenchmark.number(on) + " with an alloc profile (interval 512k), "
                    + Microbenchmark.number(off) + " without, " + pairs + " alternated pairs; target under 5%";
            return m;
        } finally {
            channel.shutdownNow();
        }
    }

    /** The call rate while an alloc profile runs on the worker: started, measured, then cancelled. */
    private static double profiled(ManagedChannel channel, ProfileRequest alloc, Duration round, Rounds.Batch call)
            throws Exception {
        Context.CancellableContext profile = Context.current().withCancellation();
        try {
            Iterator<ProfileReply> replies = profile.call(() -> ProfilerGrpc.newBlockingStub(channel).profile(alloc));
            ProfileReply r = profile.call(replies::next);
            if (!r.hasStarted()) {
                throw new IllegalStateException("the alloc profile did not start: " + r);
            }
            return rate(round, call);
        } finally {
            profile.cancel(null); // as Ctrl-C: the node stops the profile
        }
    }

    /** Calls per second over {@code round}. */
    private static double rate(Duration round, Rounds.Batch call) throws Exception {
        long start = System.nanoTime();
        double n = 0;
        do {
            n += call.run();
        } while (System.nanoTime() - start < round.toNanos());
        return n / ((System.nanoTime() - start) / 1e9);
    }

    /** Both metrics, in the order they run. */
    static List<Metric> both() {
        return new ArrayList<>(List.of(new ProfilerCosts(Kind.ATTACH), new ProfilerCosts(Kind.ALLOC_OVERHEAD)));
    }
}

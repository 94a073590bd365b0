package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.ObjectRef;
import io.sonde.Sonde;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The metrics of {@code sonde microbenchmark}, in the order they run, with Ray's published
 * figures (ops/s, GB/s) beside the ones Ray also measures, and the debugger's targets beside its
 * metrics.
 *
 * <p>The object store's metrics ({@link LargeObjects}) run right before {@link WorkerColdStart}:
 * spill_gigabytes shuts its small-store cluster down, and the cold start's fresh clusters follow.
 *
 * <p>The debugger's metrics ({@link DebuggerLatency}) run on the last of the cold start's clusters;
 * {@link JdwpTaskCost} then replaces it with two clusters of its own, without and with the JDWP
 * agent, and leaves the second (the default kind) running, where the profiler's metrics
 * ({@link ProfilerCosts}) follow, each on an actor of its own.
 *
 * <p>{@link ShellStartup} runs last and outside this process: it times new {@code sonde shell}
 * processes, so the metrics before it do not share a JVM with it.
 */
public final class CoreMetrics {
    private CoreMetrics() {
    }

    /** @param cluster how the benchmark's clusters are started (also used for cold starts) */
    public static List<Metric> all(InitOptions cluster) {
        List<Metric> all = new ArrayList<>(List.of(
                Metric.of("single_client_tasks_sync", true, 980, plan -> Rounds.perSecond(plan, () -> {
                    Sonde.get(Sonde.task(BenchFunctions::small).remote());
                    return 1;
                })),
                Metric.of("single_client_tasks_async", true, 8000, plan -> Rounds.perSecond(plan, () -> {
                    List<ObjectRef<Integer>> refs = new ArrayList<>(plan.batch());
                    for (int i = 0; i < plan.batch(); i++) {
                        refs.add(Sonde.task(BenchFunctions::small).remote());
                    }
                    Sonde.get(refs);
                    return refs.size();
                })),
                new MultiClientTasks(),
                new ActorCalls("1_1_actor_calls_sync", 2000, false),
                new ActorCalls("1_1_actor_calls_async", 8600, true),
                Metric.of("single_client_put_calls", true, 5200, plan -> Rounds.perSecond(plan, () -> {
                    for (int i = 0; i < plan.batch(); i++) {
                        Sonde.put(0);
                    }
                    // puts the node has taken, not puts waiting in this process's outgoing buffers
                    io.sonde.tooling.DriverClient.current().sync();
                    return plan.batch();
                })),
                Metric.of("single_client_get_calls", true, 10600, plan -> {
                    ObjectRef<Integer> ref = Sonde.put(0);
                    return Rounds.perSecond(plan, () -> {
                        for (int i = 0; i < plan.batch(); i++) {
                            Sonde.get(ref);
                        }
                        return plan.batch();
                    });
                })));
        all.addAll(new LargeObjects(cluster).metrics());
        all.addAll(List.of(
                new WorkerColdStart(cluster),
                new IdleWorkerRss(cluster),
                new OomKillReaction(cluster),
                new MonitorOverhead(cluster),
                new RetryAfterCrash(cluster),
                new LeakDetection(cluster),
                new DebuggerLatency(DebuggerLatency.Kind.NOTICE),
                new DebuggerLatency(DebuggerLatency.Kind.ATTACH),
                new DebuggerLatency(DebuggerLatency.Kind.STEP),
                new DebuggerLatency(DebuggerLatency.Kind.EVAL),
                new DebuggerLatency(DebuggerLatency.Kind.EVAL_COMPILED_FIRST),
                new DebuggerLatency(DebuggerLatency.Kind.EVAL_COMPILED),
                new JdwpTaskCost(cluster)));
        all.addAll(ProfilerCosts.both());
        all.addAll(List.of(
                new GrpcLoopbackRtt(),
                new AuthCheckCost(),
                new ShellStartup()));
        return List.copyOf(all);
    }

    /** A joined head whose object store holds more than this is not filled to measure spill_gigabytes. */
    public static final long REMOTE_SPILL_LIMIT = LargeObjects.REMOTE_SPILL_LIMIT;

    /**
     * The metrics that measure whatever cluster the driver is connected to, and so also run when
     * the benchmark joins a cluster by address: Ray's, and the object store's. The others start
     * clusters of their own, or read the embedded node in process.
     */
    public static final Set<String> ON_JOINED_CLUSTER = Set.of("single_client_tasks_sync", "single_client_tasks_async",
            "multi_client_tasks_async", "1_1_actor_calls_sync", "1_1_actor_calls_async", "single_client_put_calls", "single_client_get_calls",
            "memcpy_gigabytes", "single_client_put_gigabytes", "single_client_get_gigabytes", "spill_gigabytes",
            "grpc_loopback_unary_rtt_us", "auth_check_cost_us");
}

package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.ObjectRef;
import io.sonde.Sonde;

import java.util.ArrayList;
import java.util.List;

/**
 * The metrics of {@code sonde microbenchmark}, in the order they run, with Ray's published
 * figures (ops/s, GB/s) beside the ones Ray also measures, and the debugger's targets beside its
 * metrics.
 *
 * <p>Order matters for memory: the node keeps every object for the life of the cluster, so the
 * large puts run right before {@link WorkerColdStart}, whose fresh clusters let them go. For the
 * same reason every large put lands in heap memory the JVM has never touched, and where the OS is
 * slow to hand out fresh pages (virtual machines) that cost dominates single_client_put_gigabytes;
 * {@code SONDE_JAVA_OPTS="-Xms4g -XX:+AlwaysPreTouch"} pays it before the benchmark starts.
 *
 * <p>The debugger's metrics ({@link DebuggerLatency}) run on the last of the cold start's clusters;
 * {@link JdwpTaskCost} then replaces it with two clusters of its own, without and with the JDWP
 * agent, and leaves the second (the default kind) running.
 *
 * <p>{@link ShellStartup} runs last and outside this process: it times new {@code sonde shell}
 * processes, so the metrics before it do not share a JVM with it.
 */
public final class CoreMetrics {
    private CoreMetrics() {
    }

    /** @param cluster how the benchmark's clusters are started (also used for cold starts) */
    public static List<Metric> all(InitOptions cluster) {
        return List.of(
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
                new ActorCalls("1_1_actor_calls_sync", 2000, false),
                new ActorCalls("1_1_actor_calls_async", 8600, true),
                Metric.of("single_client_put_calls", true, 5200, plan -> Rounds.perSecond(plan, () -> {
                    for (int i = 0; i < plan.batch(); i++) {
                        Sonde.put(0);
                    }
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
                }),
                Metric.of("single_client_put_gigabytes", true, 20, plan -> {
                    byte[] payload = new byte[plan.largeBytes()];
                    return Rounds.perSecond(plan, plan.largePerRound(), () -> {
                        Sonde.put(payload);
                        return payload.length / 1e9;
                    });
                }),
                new WorkerColdStart(cluster),
                new IdleWorkerRss(cluster),
                new OomKillReaction(cluster),
                new MonitorOverhead(cluster),
                new RetryAfterCrash(cluster),
                new DebuggerLatency(DebuggerLatency.Kind.NOTICE),
                new DebuggerLatency(DebuggerLatency.Kind.ATTACH),
                new DebuggerLatency(DebuggerLatency.Kind.STEP),
                new JdwpTaskCost(cluster),
                new GrpcLoopbackRtt(),
                new AuthCheckCost(),
                Metric.of("memcpy_gigabytes", true, Double.NaN, plan -> {
                    byte[] src = new byte[plan.largeBytes()];
                    byte[] dst = new byte[plan.largeBytes()];
                    return Rounds.perSecond(plan, () -> {
                        System.arraycopy(src, 0, dst, 0, src.length);
                        return src.length / 1e9;
                    });
                }),
                new ShellStartup());
    }
}

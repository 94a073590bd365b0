package io.sonde.cli.bench;

import io.sonde.Sonde;
import io.sonde.debugger.plugin.DebugNodePlugin;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.proto.TaskInfo;
import io.sonde.proto.WorkerInfo;
import io.sonde.testing.SondeCluster;
import io.sonde.tooling.HostedNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The debugger's metrics with the smallest plan on a real embedded cluster: worker JVMs with the
 * JDWP agent, tasks parked at {@code Sonde.breakpoint()}, JDI sessions. The figures mean nothing
 * here; that they are measured, and that no task is left parked, does.
 */
class DebuggerMetricsTest {
    /** A new cluster for each test: JdwpTaskCost replaces the one it finds by clusters of its own. */
    @RegisterExtension
    final SondeCluster cluster = SondeCluster.embedded().logToDriver(false);

    @Test
    void noticeAttachAndStepAreMeasuredAndEveryParkedTaskIsLetGo() throws Exception {
        for (DebuggerLatency.Kind kind : DebuggerLatency.Kind.values()) {
            DebuggerLatency metric = new DebuggerLatency(kind);

            Measurement m = metric.measure(Plan.quick());

            assertThat(m.mean()).as(kind.metric).isPositive().isFinite();
            assertThat(m.stddev()).as(kind.metric).isNotNegative().isFinite();
            assertThat(m.rounds()).isEqualTo(Plan.quick().timedRounds());
            assertThat(breakpoints()).as("left parked after " + kind.metric).isEmpty();
            assertThat(Microbenchmark.line(new Microbenchmark.Result(metric, m, null)))
                    .matches(kind.metric + " [\\d.]+ \\+- [\\d.]+   \\(target < " + (int) kind.targetMillis + " ms; \\d+ "
                            + kind.samples + ", [\\d.]+ to [\\d.]+ ms.*\\)");
        }
        // the tasks were let go through the debugger, so they ran to the end and returned
        assertThat(cluster.nodeManager().listTasks())
                .filteredOn(t -> t.getName().startsWith("bench_"))
                .isNotEmpty()
                .allSatisfy(t -> assertThat(t.getState()).isEqualTo(TaskInfo.State.FINISHED));
    }

    @Test
    void jdwpCostComparesTwoClustersAndLeavesTheOneWithTheAgentRunning() throws Exception {
        JdwpTaskCost metric = new JdwpTaskCost(cluster.options());

        Measurement m = metric.measure(Plan.quick());

        assertThat(m.mean()).isFinite();  // a cost, or a gain within the noise
        assertThat(m.stddev()).isNotNegative().isFinite();
        assertThat(metric.withJdwp().mean()).isPositive().isFinite();
        assertThat(metric.withoutJdwp().mean()).isPositive().isFinite();
        assertThat(System.getProperty("sonde.debugger")).isNull();
        assertThat(Sonde.isInitialized()).isTrue();
        Sonde.get(Sonde.task(BenchFunctions::small).remote());
        // every worker that said hello has the agent (the job's spare may still be starting)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(cluster.nodeManager().listWorkers())
                        .filteredOn(w -> w.getState() != WorkerInfo.State.STARTING)
                        .isNotEmpty().allSatisfy(w -> assertThat(debuggable(w)).isTrue()));
        assertThat(Microbenchmark.line(new Microbenchmark.Result(metric, m, null)))
                .matches("jdwp_task_throughput_cost_pct -?[\\d.]+ \\+- [\\d.]+   \\(target < 5%(; within the noise: under 2 stddev from 0)?; sync tasks per second"
                        + " [\\d.]+ \\+- [\\d.]+ with JDWP, [\\d.]+ \\+- [\\d.]+ without\\)");
    }

    private List<BreakpointInfo> breakpoints() {
        return DebugNodePlugin.of(cluster.hostedNode()).listBreakpoints();
    }

    /** The worker's JDWP port as the node's debugger lists it; 0 without the agent. */
    private boolean debuggable(WorkerInfo w) {
        return DebugNodePlugin.of(cluster.hostedNode()).debuggable(w.getWorkerId());
    }
}

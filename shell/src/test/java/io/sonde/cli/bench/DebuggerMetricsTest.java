package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.Sonde;
import io.sonde.debugger.plugin.DebugNodePlugin;
import io.sonde.internal.SondeRuntime;
import io.sonde.tooling.HostedNode;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.proto.TaskInfo;
import io.sonde.proto.WorkerInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The debugger's metrics with the smallest plan on a real embedded cluster: worker JVMs with the
 * JDWP agent, tasks parked at {@code Sonde.breakpoint()}, JDI sessions. The figures mean nothing
 * here; that they are measured, and that no task is left parked, does.
 */
class DebuggerMetricsTest {
    private static final InitOptions CLUSTER = new InitOptions().logToDriver(false);

    @TempDir
    Path root;

    @BeforeEach
    void privateRoot() {
        System.setProperty("sonde.root", root.toString());
    }

    @AfterEach
    void stop() {
        Sonde.shutdown();
        System.clearProperty("sonde.debugger");
        System.clearProperty("sonde.root");
    }

    @Test
    void noticeAttachAndStepAreMeasuredAndEveryParkedTaskIsLetGo() throws Exception {
        Sonde.init(CLUSTER);
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
        assertThat(SondeRuntime.embeddedNode().nodeManager().listTasks())
                .filteredOn(t -> t.getName().startsWith("bench_"))
                .isNotEmpty()
                .allSatisfy(t -> assertThat(t.getState()).isEqualTo(TaskInfo.State.FINISHED));
    }

    @Test
    void jdwpCostComparesTwoClustersAndLeavesTheOneWithTheAgentRunning() throws Exception {
        Sonde.init(CLUSTER);
        JdwpTaskCost metric = new JdwpTaskCost(CLUSTER);

        Measurement m = metric.measure(Plan.quick());

        assertThat(m.mean()).isFinite();  // a cost, or a gain within the noise
        assertThat(m.stddev()).isNotNegative().isFinite();
        assertThat(metric.withJdwp().mean()).isPositive().isFinite();
        assertThat(metric.withoutJdwp().mean()).isPositive().isFinite();
        assertThat(System.getProperty("sonde.debugger")).isNull();
        assertThat(Sonde.isInitialized()).isTrue();
        Sonde.get(Sonde.task(BenchFunctions::small).remote());
        assertThat(SondeRuntime.embeddedNode().nodeManager().listWorkers())
                .isNotEmpty().allSatisfy(w -> assertThat(debugPort(w)).isPositive());
        assertThat(Microbenchmark.line(new Microbenchmark.Result(metric, m, null)))
                .matches("jdwp_task_throughput_cost_pct -?[\\d.]+ \\+- [\\d.]+   \\(target < 5%(; within the noise: under 2 stddev from 0)?; sync tasks per second"
                        + " [\\d.]+ \\+- [\\d.]+ with JDWP, [\\d.]+ \\+- [\\d.]+ without\\)");
    }

    @Test
    void withTheDebuggerOffTheMetricsFailAndSaySo() throws Exception {
        System.setProperty("sonde.debugger", "off");
        Sonde.init(CLUSTER);
        Sonde.get(Sonde.task(BenchFunctions::small).remote()); // the job's worker is up, without the agent
        assertThat(SondeRuntime.embeddedNode().nodeManager().listWorkers())
                .extracting(DebuggerMetricsTest::debugPort).containsOnly(0);

        for (Metric metric : List.<Metric>of(new DebuggerLatency(DebuggerLatency.Kind.ATTACH),
                new JdwpTaskCost(CLUSTER))) {
            assertThatThrownBy(() -> metric.measure(Plan.quick()))
                    .as(metric.name()).hasMessageContaining("the debugger is off").hasMessageContaining("sonde.debugger=off");
        }

        // A driver that does not know (a remote cluster's settings are not readable) finds out from the
        // task: it returns without parking.
        System.clearProperty("sonde.debugger");
        assertThatThrownBy(() -> new DebuggerLatency(DebuggerLatency.Kind.NOTICE).measure(Plan.quick()))
                .hasMessageContaining("returned without parking").hasMessageContaining("the debugger is off");
        assertThat(breakpoints()).isEmpty();
    }

    private static List<BreakpointInfo> breakpoints() {
        return DebugNodePlugin.of(HostedNode.embedded().orElseThrow()).listBreakpoints();
    }

    /** The worker's JDWP port as the node's debugger lists it; 0 without the agent. */
    private static int debugPort(WorkerInfo w) {
        return DebugNodePlugin.of(HostedNode.embedded().orElseThrow()).debugPort(w.getWorkerId());
    }
}

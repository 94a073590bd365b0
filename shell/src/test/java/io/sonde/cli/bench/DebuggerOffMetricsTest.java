package io.sonde.cli.bench;

import io.sonde.Sonde;
import io.sonde.debugger.plugin.DebugNodePlugin;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.proto.WorkerInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The debugger's metrics on an embedded cluster whose debugger is off ({@code sonde.debugger=off}
 * where its node runs): its workers start without the JDWP agent, and each metric fails saying so.
 */
class DebuggerOffMetricsTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().logToDriver(false).property("sonde.debugger", "off");

    @Test
    void withTheDebuggerOffTheMetricsFailAndSaySo() throws Exception {
        Sonde.get(Sonde.task(BenchFunctions::small).remote()); // the job's worker is up, without the agent
        assertThat(cluster.nodeManager().listWorkers())
                .extracting(DebuggerOffMetricsTest::debuggable).containsOnly(false);

        for (Metric metric : List.<Metric>of(new DebuggerLatency(DebuggerLatency.Kind.ATTACH),
                new JdwpTaskCost(cluster.options()))) {
            assertThatThrownBy(() -> metric.measure(Plan.quick()))
                    .as(metric.name()).hasMessageContaining("the debugger is off").hasMessageContaining("sonde.debugger=off");
        }

        // A driver that does not know (a remote cluster's settings are not readable; here the setting
        // is cleared in this JVM after the worker started without the agent) finds out from the task:
        // it returns without parking.
        cluster.property("sonde.debugger", null);
        assertThatThrownBy(() -> new DebuggerLatency(DebuggerLatency.Kind.NOTICE).measure(Plan.quick()))
                .hasMessageContaining("returned without parking").hasMessageContaining("the debugger is off");
        assertThat(breakpoints()).isEmpty();
    }

    private static List<BreakpointInfo> breakpoints() {
        return DebugNodePlugin.of(cluster.hostedNode()).listBreakpoints();
    }

    /** The worker's JDWP port as the node's debugger lists it; 0 without the agent. */
    private static boolean debuggable(WorkerInfo w) {
        return DebugNodePlugin.of(cluster.hostedNode()).debuggable(w.getWorkerId());
    }
}

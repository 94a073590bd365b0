package io.sonde.debugger;

import io.sonde.InitOptions;
import io.sonde.Sonde;
import io.sonde.debugger.plugin.DebugNodePlugin;
import io.sonde.tooling.HostedNode;
import io.sonde.debugger.proto.BreakpointInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** One real embedded cluster (2 CPUs, worker JVMs with the JDWP agent) per test class. */
abstract class ClusterFixture {
    static final BreakpointSource BREAKPOINTS = new BreakpointSource() {
        @Override
        public java.util.List<io.sonde.debugger.proto.BreakpointInfo> list() {
            return DebugNodePlugin.of(HostedNode.embedded().orElseThrow()).listBreakpoints();
        }

        @Override
        public io.sonde.debugger.proto.DebugHooks updateHooks(io.sonde.debugger.proto.DebugHooksUpdate u) {
            return DebugNodePlugin.of(HostedNode.embedded().orElseThrow()).updateDebugHooks(u);
        }
    };

    @BeforeAll
    static void startCluster() {
        Sonde.init(new InitOptions().numCpus(2));
    }

    @AfterAll
    static void stopCluster() {
        Sonde.shutdown();
    }

    static List<BreakpointInfo> breakpoints() {
        return BREAKPOINTS.list();
    }

    /** Waits until a listed breakpoint matches, and returns it. */
    static BreakpointInfo awaitBreakpoint(Predicate<BreakpointInfo> p) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> breakpoints().stream().anyMatch(p));
        return breakpoints().stream().filter(p).findFirst().orElseThrow();
    }

    static BreakpointInfo awaitBreakpoint(String taskName) {
        return awaitBreakpoint(b -> b.getTaskName().equals(taskName));
    }

    /** Waits until this task's is the only listed breakpoint, so that it is index 0. */
    static BreakpointInfo awaitOnlyBreakpoint(String taskName) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            List<BreakpointInfo> all = breakpoints();
            return all.size() == 1 && all.get(0).getTaskName().equals(taskName);
        });
        return breakpoints().get(0);
    }

    static void awaitNoBreakpoint(String taskName) {
        await().atMost(Duration.ofSeconds(10)).until(() -> breakpoints().stream().noneMatch(b -> b.getTaskName().equals(taskName)));
    }
}

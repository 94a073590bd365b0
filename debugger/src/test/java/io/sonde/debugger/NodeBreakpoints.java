package io.sonde.debugger;

import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.DebugHooksUpdate;
import io.sonde.testing.SondeCluster;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * The breakpoints of a test's {@link SondeCluster}, as its node's debugger plug-in lists them
 * (the {@link BreakpointSource} a console or session of the test reads), and waits on them.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);
 * static final NodeBreakpoints breakpoints = new NodeBreakpoints(cluster);
 * }</pre>
 *
 * <p>Each call asks the node the cluster runs at that moment, so one instance serves every test
 * of the class. Thread-safe as the node's plug-in is.
 */
final class NodeBreakpoints implements BreakpointSource {
    private final SondeCluster cluster;

    NodeBreakpoints(SondeCluster cluster) {
        this.cluster = cluster;
    }

    private BreakpointSource node() {
        return BreakpointSource.local(cluster.hostedNode());
    }

    @Override
    public List<BreakpointInfo> list() {
        return node().list();
    }

    @Override
    public DebugHooks updateHooks(DebugHooksUpdate update) {
        return node().updateHooks(update);
    }

    @Override
    public boolean taskEnded(String taskId) {
        return node().taskEnded(taskId);
    }

    @Override
    public com.sun.jdi.connect.spi.Connection jdwp(BreakpointInfo b) {
        return node().jdwp(b);
    }

    /** Waits until a listed breakpoint matches, and returns it. */
    BreakpointInfo await(Predicate<BreakpointInfo> p) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> list().stream().anyMatch(p));
        return list().stream().filter(p).findFirst().orElseThrow();
    }

    /** Waits until the task named {@code taskName} is listed, and returns its breakpoint. */
    BreakpointInfo await(String taskName) {
        return await(b -> b.getTaskName().equals(taskName));
    }

    /** Waits until this task's is the only listed breakpoint, so that it is index 0. */
    BreakpointInfo awaitOnly(String taskName) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            List<BreakpointInfo> all = list();
            return all.size() == 1 && all.get(0).getTaskName().equals(taskName);
        });
        return list().get(0);
    }

    /** Waits until no breakpoint of the task named {@code taskName} is listed. */
    void awaitNone(String taskName) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> list().stream().noneMatch(b -> b.getTaskName().equals(taskName)));
    }
}

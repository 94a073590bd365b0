package io.sonde.testing;

import io.sonde.InitOptions;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.internal.SondeRuntime;
import io.sonde.internal.client.ConsoleLogRelay;
import io.sonde.internal.cluster.LocalNode;
import io.sonde.internal.node.NodeManager;
import io.sonde.proto.TaskInfo;
import io.sonde.tooling.HostedNode;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real embedded Sonde cluster for the tests of a class: {@code Sonde.init} with real worker
 * JVMs, in a private {@link SondeRoot}, with the driver's relayed worker output captured.
 *
 * <pre>{@code
 * class TasksTest {
 *     @RegisterExtension
 *     static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);
 *
 *     @Test
 *     void ... {
 *         ObjectRef<Integer> r = Sonde.task(() -> 1).name("one").remote();
 *         assertThat(Sonde.get(r)).isEqualTo(1);
 *         assertThat(cluster.taskInfo(r)).isPresent();
 *     }
 * }
 * }</pre>
 *
 * <p>Lifecycle: in a {@code static} field one cluster serves every test of the class, started
 * in {@code beforeAll} (before the class's own {@code @BeforeAll} methods) and shut down in
 * {@code afterAll} (after them); in an instance field each test gets a cluster of its own,
 * started in {@code beforeEach} and shut down in {@code afterEach}. At start: a new private root
 * ({@code sonde.root}), then the {@link #property(String, String) settings}, then {@code Sonde.init} with the
 * options given here. At the end: {@code Sonde.shutdown()} (whatever cluster this driver runs
 * then, so a test may restart it), then the settings and {@code sonde.root} put back as they
 * were, then the root deleted unless a test failed. Options are given before the start; after it
 * they throw.
 *
 * <p>Sonde is one cluster per JVM ({@code Sonde.init} twice fails): register one of these per
 * test class, and nothing else that calls {@code Sonde.init}. The queries ({@link #taskInfo},
 * {@link #nodeManager}, ...) read the embedded node this driver runs at the time of the call.
 *
 * <p>Threading: started and stopped on JUnit's thread; {@link #out()}, {@link #err()} and the
 * queries may be used from any thread.
 */
public final class SondeCluster implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        TestWatcher {
    private final InitOptions options = new InitOptions();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final SondeRoot root = SondeRoot.temporary();
    private final FixtureScope scope = new FixtureScope();
    private final PropertyScope properties = new PropertyScope();
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private volatile boolean running;

    private SondeCluster() {
    }

    /** A cluster embedded in this JVM, as {@code Sonde.init()} starts it: options default as there. */
    public static SondeCluster embedded() {
        return new SondeCluster();
    }

    /** {@link InitOptions#numCpus(int)}. */
    public SondeCluster numCpus(int cpus) {
        notStarted().numCpus(cpus);
        return this;
    }

    /** {@link InitOptions#memory(long)}: the node's memory budget. */
    public SondeCluster memory(long bytes) {
        notStarted().memory(bytes);
        return this;
    }

    /** {@link InitOptions#objectStoreMemory(long)}: bytes of the node's object store. */
    public SondeCluster objectStoreMemory(long bytes) {
        notStarted().objectStoreMemory(bytes);
        return this;
    }

    /** {@link InitOptions#objectSpillingDirectory(Path)}: where the node's object store spills. */
    public SondeCluster objectSpillingDirectory(Path dir) {
        notStarted().objectSpillingDirectory(dir);
        return this;
    }

    /** {@link InitOptions#resource(String, double)}. */
    public SondeCluster resource(String name, double amount) {
        notStarted().resource(name, amount);
        return this;
    }

    /**
     * {@link InitOptions#logToDriver(boolean)}. With true (the default) the relayed lines are
     * captured in {@link #out()} and {@link #err()}; with false nothing is relayed.
     */
    public SondeCluster logToDriver(boolean logToDriver) {
        notStarted().logToDriver(logToDriver);
        return this;
    }

    /** {@link InitOptions#debugPostMortem(boolean)}. */
    public SondeCluster debugPostMortem(boolean postMortem) {
        notStarted().debugPostMortem(postMortem);
        return this;
    }

    /** {@link InitOptions#pluginOption(String, String)}. */
    public SondeCluster pluginOption(String name, String value) {
        notStarted().pluginOption(name, value);
        return this;
    }

    /** {@link InitOptions#workerJvmOption(String)}. */
    public SondeCluster workerJvmOption(String option) {
        notStarted().workerJvmOption(option);
        return this;
    }

    /**
     * A setting of this JVM, where the embedded node runs, for as long as the cluster does: the
     * system property {@code name} set to {@code value}, or cleared when {@code value} is null
     * (e.g. {@code property("sonde.debugger", "off")}, which the node reads at each worker
     * launch). Given before the start, it is set before {@code Sonde.init}; given while the
     * cluster runs, it is set at once. Either way it is put back as it was after the shutdown, so
     * no test class sets or clears a property itself.
     */
    public SondeCluster property(String name, String value) {
        if (name == null || name.isBlank() || name.equals(SondeRoot.PROPERTY)) {
            throw new IllegalArgumentException("a setting needs a name other than " + SondeRoot.PROPERTY
                    + ", which the cluster's private root owns; got " + name);
        }
        if (running) {
            properties.set(name, value);
        } else {
            settings.put(name, value);
        }
        return this;
    }

    /**
     * The options {@code Sonde.init} was given, for code under test that starts a cluster anew
     * with the same ones. Read them; give options through this class's methods.
     */
    public InitOptions options() {
        return options;
    }

    /** The private root ({@code sonde.root}) of this cluster, with its session directories. */
    public Path root() {
        return root.path();
    }

    /** Worker stdout lines relayed to this driver since the start, as printed: {@code (name pid=N) text}. */
    public List<String> out() {
        return Collections.unmodifiableList(out);
    }

    /** Worker stderr lines relayed to this driver since the start, as printed. */
    public List<String> err() {
        return Collections.unmodifiableList(err);
    }

    /** The embedded node this driver runs now. */
    public LocalNode node() {
        LocalNode node = SondeRuntime.embeddedNode();
        if (node == null) {
            throw new IllegalStateException("no embedded Sonde cluster runs in this JVM: register a SondeCluster with"
                    + " @RegisterExtension (a static field for the class, an instance field for each test), and use"
                    + " it from a test or a @BeforeAll/@BeforeEach method");
        }
        return node;
    }

    /** The node manager of the embedded node: tasks, workers, objects as the node sees them. */
    public NodeManager nodeManager() {
        return node().nodeManager();
    }

    /** The embedded node as Sonde's tools see it (through {@code io.sonde.tooling}): how a plug-in's tests reach it. */
    public HostedNode hostedNode() {
        node(); // the same clear failure when no cluster runs
        return HostedNode.embedded().orElseThrow();
    }

    /** {@code sonde://127.0.0.1:PORT} of the embedded node, for a second driver or {@code sonde debug}. */
    public String address() {
        return node().address();
    }

    /** The node's record of the task that produces {@code ref}; empty if the node has none. */
    public Optional<TaskInfo> taskInfo(ObjectRef<?> ref) {
        return nodeManager().listTasks().stream().filter(t -> t.getTaskId().equals(ref.id())).findFirst();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (scope.enter(context)) {
            start(context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (scope.enter(context)) {
            start(context);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (scope.exit(context)) {
            stop(scope.failed(context));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (scope.exit(context)) {
            stop(scope.failed(context));
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        scope.testFailed();
    }

    private void start(ExtensionContext context) {
        root.open(context);
        try {
            settings.forEach(properties::set);
            out.clear();
            err.clear();
            Sonde.init(options);
        } catch (RuntimeException | Error e) {
            // Nothing of ours to shut down (a cluster this JVM already runs is not ours to stop).
            properties.restore();
            root.close(true);
            throw e;
        }
        running = true;
        try {
            if (options.logToDriver()) {
                // Captured for the tests' assertions, and still printed, for the build's log.
                SondeRuntime.client().setLogRelay(new ConsoleLogRelay(line -> {
                    out.add(line);
                    System.out.println(line);
                }, line -> {
                    err.add(line);
                    System.err.println(line);
                }, false, SondeRuntime.client().info().getNodeIp()));
            }
        } catch (RuntimeException | Error e) {
            stop(true);
            throw e;
        }
    }

    /** Safe to call again, and after a start that failed: JUnit calls afterAll even when beforeAll threw. */
    private void stop(boolean keepRoot) {
        try {
            if (running) {
                running = false;
                // Before the settings go back: the node reads some of them at each worker launch.
                Sonde.shutdown();
            }
        } finally {
            properties.restore();
            root.close(keepRoot);
        }
    }

    private InitOptions notStarted() {
        if (running) {
            throw new IllegalStateException("the cluster runs already: give its options where it is declared");
        }
        return options;
    }
}

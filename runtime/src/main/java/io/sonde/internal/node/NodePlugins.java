package io.sonde.internal.node;

import com.google.protobuf.ByteString;
import io.grpc.BindableService;
import io.sonde.internal.PluginLoader;
import io.sonde.internal.node.worker.Worker;
import io.sonde.proto.PluginMessage;
import io.sonde.spi.ClientRef;
import io.sonde.spi.NodeContext;
import io.sonde.spi.NodePlugin;
import io.sonde.spi.WorkerMemory;
import io.sonde.spi.WorkerRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The node's {@link NodePlugin}s: loads them, gives each its {@link NodeContext}, and calls their
 * hooks as the {@link NodeManager} reaches the events.
 *
 * <pre>
 *   NodeManager (under its lock) ──workerJvmOptions, jobStarted, workerHello──▶ plug-in (at once)
 *   NodeManager (any thread) ──every other event──▶ queue ──▶ sonde-plugin-NAME ──▶ plug-in
 * </pre>
 *
 * <h2>Thread safety</h2>
 * The node calls this host with or without its lock held. The hooks that must take effect before
 * a job's or a worker's first task run at once, under the lock; every other hook is handed to the
 * plug-in's own serial thread, so that a plug-in never runs under the node's lock there and can
 * use the {@link NodeContext}, whose methods take the lock for a moment. A plug-in that throws is
 * reported and skipped.
 */
public final class NodePlugins {
    /** A plug-in and the thread that runs its hooks one at a time. */
    private record Hosted(NodePlugin plugin, ExecutorService thread) {
    }

    /** What the plug-ins may read of the node and send through it; each call takes the node's lock for a moment. */
    interface Node {
        Optional<Worker> worker(String workerId);

        /** Workers that said hello and have not exited. */
        List<Worker> readyWorkers();

        String rootTaskId(String taskId);

        /** No live task of this node is the task or descends from it. */
        boolean taskEnded(String taskId);

        /** Enqueues on the worker's command stream; dropped when the worker is gone. */
        void sendToWorker(String workerId, PluginMessage m);

        /** Enqueues on the job's driver session; dropped when the job ended. */
        void sendToDriver(String jobId, PluginMessage m);
    }

    private final List<Hosted> plugins = new ArrayList<>();
    private final List<BindableService> services = new ArrayList<>();

    NodePlugins(NodeConfig config, Node node) {
        for (NodePlugin p : PluginLoader.load(NodePlugin.class)) {
            ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "sonde-plugin-" + p.name());
                t.setDaemon(true);
                return t;
            });
            try {
                p.start(new Context(p.name(), config, node));
                services.addAll(p.services());
                plugins.add(new Hosted(p, thread));
            } catch (RuntimeException e) {
                PluginLoader.failed(p.name(), "start", e);
                thread.shutdown();
            }
        }
    }

    /** The node's plug-in of that class, if it has one: how a process that embeds the node reaches it. */
    public <T> Optional<T> find(Class<T> type) {
        return plugins.stream().map(Hosted::plugin).filter(type::isInstance).map(type::cast).findFirst();
    }

    /** The plug-ins' gRPC services, for the node's server. */
    public List<BindableService> services() {
        return List.copyOf(services);
    }

    /** Under the node's lock. */
    List<String> workerJvmOptions() {
        List<String> options = new ArrayList<>();
        for (Hosted h : plugins) {
            try {
                options.addAll(h.plugin().workerJvmOptions());
            } catch (RuntimeException e) {
                PluginLoader.failed(h.plugin().name(), "workerJvmOptions", e);
            }
        }
        return options;
    }

    /** Under the node's lock, before the job's first worker is launched. */
    void jobStarted(String jobId, Map<String, String> options) {
        for (Hosted h : plugins) {
            try {
                h.plugin().jobStarted(jobId, options);
            } catch (RuntimeException e) {
                PluginLoader.failed(h.plugin().name(), "jobStarted", e);
            }
        }
    }

    void jobEnded(String jobId) {
        each("jobEnded", p -> p.jobEnded(jobId));
    }

    void workerStarted(Worker w) {
        WorkerRef ref = ref(w);
        each("workerStarted", p -> p.workerStarted(ref));
    }

    /** Under the node's lock, right before the worker's first task. */
    void workerHello(Worker w) {
        WorkerRef ref = ref(w);
        for (Hosted h : plugins) {
            try {
                h.plugin().workerHello(ref);
            } catch (RuntimeException e) {
                PluginLoader.failed(h.plugin().name(), "workerHello", e);
            }
        }
    }

    void workerExited(Worker w) {
        WorkerRef ref = ref(w);
        each("workerExited", p -> p.workerExited(ref));
    }

    /** A sample of the memory monitor (from its thread): handed to each plug-in's thread. */
    void workerMemory(List<WorkerMemory> workers) {
        List<WorkerMemory> copy = List.copyOf(workers);
        each("workerMemory", p -> p.workerMemory(copy));
    }

    /** Whether the node has any plug-in, so that events no plug-in would see need not be gathered. */
    boolean any() {
        return !plugins.isEmpty();
    }

    void workerMessage(Worker w, PluginMessage m) {
        WorkerRef ref = ref(w);
        one(m.getPlugin(), "workerMessage", p -> p.workerMessage(ref, m.getPayload()));
    }

    void clientMessage(ClientSession s, PluginMessage m) {
        ClientRef ref = new ClientRef(s.clientId, s.jobId, s.driver ? "" : s.workerId);
        one(m.getPlugin(), "clientMessage", p -> p.clientMessage(ref, m.getPayload()));
    }

    /** The node stops: each plug-in closes after the events queued before. Safe to call twice. */
    void close() {
        for (Hosted h : plugins) {
            run(h, "close", NodePlugin::close);
            h.thread().shutdown();
        }
    }

    static WorkerRef ref(Worker w) {
        return new WorkerRef(w.id(), w.pid(), w.jobId());
    }

    private interface Hook {
        void call(NodePlugin p);
    }

    private void each(String hook, Hook call) {
        for (Hosted h : plugins) {
            run(h, hook, call);
        }
    }

    private void one(String name, String hook, Hook call) {
        for (Hosted h : plugins) {
            if (h.plugin().name().equals(name)) {
                run(h, hook, call);
                return;
            }
        }
    }

    /** Hands the hook to the plug-in's own thread. */
    private static void run(Hosted h, String hook, Hook call) {
        try {
            h.thread().execute(() -> {
                try {
                    call.call(h.plugin());
                } catch (RuntimeException e) {
                    PluginLoader.failed(h.plugin().name(), hook, e);
                }
            });
        } catch (RejectedExecutionException stopped) {
            // the node is stopping: events after close are dropped
        }
    }

    /** One plug-in's view of the node, sending under the plug-in's name. */
    private static final class Context implements NodeContext {
        private final String plugin;
        private final NodeConfig config;
        private final Node node;

        Context(String plugin, NodeConfig config, Node node) {
            this.plugin = plugin;
            this.config = config;
            this.node = node;
        }

        @Override
        public String nodeId() {
            return config.nodeId();
        }

        @Override
        public String nodeIp() {
            return config.ip();
        }

        @Override
        public java.nio.file.Path sessionDir() {
            return config.sessionDir();
        }

        @Override
        public Optional<WorkerRef> worker(String workerId) {
            return node.worker(workerId).map(NodePlugins::ref);
        }

        @Override
        public List<WorkerRef> workers() {
            return node.readyWorkers().stream().map(NodePlugins::ref).toList();
        }

        @Override
        public String rootTaskId(String taskId) {
            return node.rootTaskId(taskId);
        }

        @Override
        public boolean taskEnded(String taskId) {
            return node.taskEnded(taskId);
        }

        @Override
        public void sendToWorker(String workerId, ByteString payload) {
            node.sendToWorker(workerId, message(payload));
        }

        @Override
        public void sendToDriver(String jobId, ByteString payload) {
            node.sendToDriver(jobId, message(payload));
        }

        private PluginMessage message(ByteString payload) {
            return PluginMessage.newBuilder().setPlugin(plugin).setPayload(payload).build();
        }
    }
}

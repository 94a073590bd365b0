package io.sonde.internal.worker;

import com.google.protobuf.ByteString;
import io.sonde.TaskCancelledException;
import io.sonde.internal.PluginLoader;
import io.sonde.proto.PluginMessage;
import io.sonde.spi.WorkerContext;
import io.sonde.spi.WorkerPlugin;
import io.sonde.spi.WorkerTask;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The worker's {@link WorkerPlugin}s: loads them, calls their hooks where the worker reaches
 * them, and keeps a plug-in that throws from breaking the worker (it is reported and skipped;
 * {@link TaskCancelledException} goes through, it is the task's cancel).
 *
 * <p>Thread-safe: the list is fixed after loading, and each hook runs on the thread that the
 * SPI names for it.
 */
final class WorkerPlugins {
    private final List<WorkerPlugin> plugins;
    private final Set<String> unknown = ConcurrentHashMap.newKeySet();

    WorkerPlugins(List<WorkerPlugin> plugins) {
        this.plugins = List.copyOf(plugins);
    }

    static WorkerPlugins load() {
        return new WorkerPlugins(PluginLoader.load(WorkerPlugin.class));
    }

    /** Starts each plug-in with its own context, made by {@code contexts}. */
    void start(Function<WorkerPlugin, WorkerContext> contexts) {
        for (WorkerPlugin p : plugins) {
            try {
                p.start(contexts.apply(p));
            } catch (RuntimeException e) {
                PluginLoader.failed(p.name(), "start", e);
            }
        }
    }

    /** A command for one plug-in; one this worker does not have is reported once and dropped. */
    void command(PluginMessage m) {
        for (WorkerPlugin p : plugins) {
            if (p.name().equals(m.getPlugin())) {
                try {
                    p.command(m.getPayload());
                } catch (RuntimeException e) {
                    PluginLoader.failed(p.name(), "command", e);
                }
                return;
            }
        }
        if (unknown.add(m.getPlugin())) {
            System.err.println("sonde: the node sent a command for the plug-in '" + m.getPlugin() + "', which is not on"
                    + " this worker's classpath (the job's); it is ignored. Add the plug-in's jar to the program's"
                    + " classpath, or run it with `sonde run`.");
        }
    }

    void taskStarting(WorkerTask task) {
        for (WorkerPlugin p : plugins) {
            try {
                p.taskStarting(task);
            } catch (TaskCancelledException e) {
                throw e;
            } catch (RuntimeException e) {
                PluginLoader.failed(p.name(), "taskStarting", e);
            }
        }
    }

    /** What the plug-ins attach to the task's result, by plug-in name. */
    Map<String, ByteString> taskFinished(WorkerTask task) {
        Map<String, ByteString> data = null;
        for (WorkerPlugin p : plugins) {
            try {
                ByteString d = p.taskFinished(task);
                if (d != null) {
                    if (data == null) {
                        data = new LinkedHashMap<>();
                    }
                    data.put(p.name(), d);
                }
            } catch (RuntimeException e) {
                PluginLoader.failed(p.name(), "taskFinished", e);
            }
        }
        return data == null ? Map.of() : data;
    }

    /** {@code Sonde.breakpoint()}: the first plug-in that takes it; with none, a warning and the call returns. */
    void breakpoint() {
        for (WorkerPlugin p : plugins) {
            try {
                if (p.breakpoint()) {
                    return;
                }
            } catch (TaskCancelledException e) {
                throw e;
            } catch (RuntimeException e) {
                PluginLoader.failed(p.name(), "breakpoint", e);
            }
        }
        System.err.println("sonde: Sonde.breakpoint()" + caller().map(f -> " at " + f).orElse("")
                + " ignored: this worker runs no debugger (sonde-debugger is not on the job's classpath);"
                + " the task goes on. Run the program with `sonde run`, or add sonde-debugger to its classpath.");
    }

    void taskThreadReplaced() {
        for (WorkerPlugin p : plugins) {
            try {
                p.taskThreadReplaced();
            } catch (RuntimeException e) {
                PluginLoader.failed(p.name(), "taskThreadReplaced", e);
            }
        }
    }

    void close() {
        for (WorkerPlugin p : plugins) {
            try {
                p.close();
            } catch (RuntimeException e) {
                PluginLoader.failed(p.name(), "close", e);
            }
        }
    }

    /** {@code Tasks.java:12}: where {@code Sonde.breakpoint()} was called. */
    private static Optional<String> caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .dropWhile(f -> !(f.getClassName().equals("io.sonde.Sonde") && f.getMethodName().equals("breakpoint")))
                .skip(1)
                .findFirst()
                .map(f -> (f.getFileName() == null ? f.getClassName() : f.getFileName()) + ":" + f.getLineNumber()));
    }
}

package io.sonde.internal.client;

import com.google.protobuf.ByteString;
import io.sonde.TaskCancelledException;
import io.sonde.internal.PluginLoader;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.PluginEntry;
import io.sonde.proto.PluginMessage;
import io.sonde.proto.TaskSpec;
import io.sonde.spi.ClientContext;
import io.sonde.spi.ClientPlugin;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A core client's {@link ClientPlugin}s, one instance of each per client: loads them, calls their
 * hooks, and keeps one that throws from breaking the client (reported and skipped;
 * {@link TaskCancelledException} goes through, it is the caller's task's cancel).
 * Thread-safe: the list is fixed once loaded.
 */
final class ClientPlugins {
    private final List<ClientPlugin> plugins;

    private ClientPlugins(List<ClientPlugin> plugins) {
        this.plugins = List.copyOf(plugins);
    }

    static ClientPlugins load() {
        return new ClientPlugins(PluginLoader.load(ClientPlugin.class));
    }

    void start(Function<ClientPlugin, ClientContext> contexts) {
        for (ClientPlugin p : plugins) {
            try {
                p.start(contexts.apply(p));
            } catch (RuntimeException e) {
                PluginLoader.failed(p.name(), "start", e);
            }
        }
    }

    <T> Optional<T> find(Class<T> type) {
        return plugins.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** Adds what the plug-ins attach to a task this client submits. */
    void taskSubmitted(TaskSpec.Builder spec) {
        for (ClientPlugin p : plugins) {
            try {
                ByteString d = p.taskSubmitted(spec.getTaskId());
                if (d != null) {
                    spec.putPluginData(p.name(), d);
                }
            } catch (RuntimeException e) {
                PluginLoader.failed(p.name(), "taskSubmitted", e);
            }
        }
    }

    /** Tells each plug-in whose data the value carries that the caller got it. */
    void valueReceived(String objectId, ObjectValue v) {
        if (v.getPluginDataCount() == 0) {
            return;
        }
        for (PluginEntry entry : v.getPluginDataList()) {
            ClientPlugin p = byName(entry.getPlugin());
            if (p == null) {
                continue;
            }
            try {
                p.valueReceived(objectId, entry.getPayload());
            } catch (TaskCancelledException e) {
                throw e;
            } catch (RuntimeException e) {
                PluginLoader.failed(p.name(), "valueReceived", e);
            }
        }
    }

    private ClientPlugin byName(String name) {
        for (ClientPlugin p : plugins) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** A driver's {@code Sonde.breakpoint()}: the first plug-in that takes it; false if none does. */
    boolean breakpoint() {
        for (ClientPlugin p : plugins) {
            try {
                if (p.breakpoint()) {
                    return true;
                }
            } catch (TaskCancelledException e) {
                throw e;
            } catch (RuntimeException e) {
                PluginLoader.failed(p.name(), "breakpoint", e);
            }
        }
        return false;
    }

    /** A node plug-in's message; one for a plug-in this client does not have is dropped. */
    void nodeMessage(PluginMessage m) {
        for (ClientPlugin p : plugins) {
            if (p.name().equals(m.getPlugin())) {
                try {
                    p.nodeMessage(m.getPayload());
                } catch (RuntimeException e) {
                    PluginLoader.failed(p.name(), "nodeMessage", e);
                }
                return;
            }
        }
    }

    void close() {
        for (ClientPlugin p : plugins) {
            try {
                p.close();
            } catch (RuntimeException e) {
                PluginLoader.failed(p.name(), "close", e);
            }
        }
    }
}

package io.sonde.internal.worker;

import com.google.protobuf.ByteString;
import io.sonde.internal.client.CoreClient;
import io.sonde.proto.PluginMessage;
import io.sonde.spi.WorkerContext;
import io.sonde.spi.WorkerTask;

import java.util.Optional;

/** What one {@link io.sonde.spi.WorkerPlugin} gets from its worker: the executor's and the client's parts it may use. */
final class PluginContext implements WorkerContext {
    private final String plugin;
    private final String workerId;
    private final TaskExecutor executor;
    private final CoreClient client;

    PluginContext(String plugin, String workerId, TaskExecutor executor, CoreClient client) {
        this.plugin = plugin;
        this.workerId = workerId;
        this.executor = executor;
        this.client = client;
    }

    @Override
    public String workerId() {
        return workerId;
    }

    @Override
    public void sendToNode(ByteString payload) {
        executor.sendPlugin(PluginMessage.newBuilder().setPlugin(plugin).setPayload(payload).build());
    }

    @Override
    public <T> Optional<T> clientPlugin(Class<T> type) {
        return client.plugin(type);
    }

    @Override
    public Optional<WorkerTask> currentTask() {
        return executor.currentTask();
    }

    @Override
    public Optional<WorkerTask> taskOn(Thread thread) {
        return executor.taskOn(thread);
    }

    @Override
    public boolean isTaskThread() {
        return executor.isTaskThread();
    }

    @Override
    public void retireTaskThread() {
        executor.retireTaskThread();
    }
}

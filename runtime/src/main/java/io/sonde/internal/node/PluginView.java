package io.sonde.internal.node;

import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.TaskTable;
import io.sonde.internal.node.worker.Worker;
import io.sonde.internal.node.worker.WorkerPool;
import io.sonde.proto.NodeMessage;
import io.sonde.proto.PluginMessage;
import io.sonde.proto.WorkerCommand;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the node's plug-ins may read of it and send through it ({@link NodePlugins.Node}).
 *
 * <p>Thread-safe: each call takes the node's lock for a moment. Plug-ins call it from their own
 * threads, never under the lock; a send only enqueues.
 */
final class PluginView implements NodePlugins.Node {
    private final NodeLock lock;
    private final WorkerPool pool;
    private final TaskTable tasks;
    private final Function<String, ClientSession> drivers;

    /** @param drivers the driver of a live job, or null */
    PluginView(NodeLock lock, WorkerPool pool, TaskTable tasks, Function<String, ClientSession> drivers) {
        this.lock = lock;
        this.pool = pool;
        this.tasks = tasks;
        this.drivers = drivers;
    }

    @Override
    public Optional<Worker> worker(String workerId) {
        return lock.read(() -> Optional.ofNullable(pool.get(workerId)).filter(w -> !w.dead()));
    }

    @Override
    public List<Worker> readyWorkers() {
        return lock.read(pool::ready);
    }

    @Override
    public String rootTaskId(String taskId) {
        return lock.read(() -> tasks.rootOf(taskId));
    }

    @Override
    public boolean taskEnded(String taskId) {
        return lock.read(() -> tasks.get(taskId) == null && !hasLiveDescendant(taskId));
    }

    /** Under the lock: a live task whose chain of live parents reaches {@code ancestorId}. */
    private boolean hasLiveDescendant(String ancestorId) {
        for (TaskRecord t : tasks.live()) {
            String parent = t.spec().getParentTaskId();
            for (int depth = 0; !parent.isEmpty() && depth < 1000; depth++) {
                if (parent.equals(ancestorId)) {
                    return true;
                }
                TaskRecord p = tasks.get(parent);
                if (p == null) {
                    break;
                }
                parent = p.spec().getParentTaskId();
            }
        }
        return false;
    }

    @Override
    public void sendToWorker(String workerId, PluginMessage m) {
        lock.run(() -> Optional.ofNullable(pool.get(workerId)).filter(w -> w.registered() && !w.dead())
                .ifPresent(w -> w.send(WorkerCommand.newBuilder().setPlugin(m).build())));
    }

    @Override
    public void sendToDriver(String jobId, PluginMessage m) {
        lock.run(() -> Optional.ofNullable(drivers.apply(jobId))
                .ifPresent(d -> d.send(NodeMessage.newBuilder().setPlugin(m).build())));
    }
}

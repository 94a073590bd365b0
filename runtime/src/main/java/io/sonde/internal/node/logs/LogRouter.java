package io.sonde.internal.node.logs;

import io.sonde.internal.node.worker.WorkerHandle;
import io.sonde.proto.LogBatch;
import io.sonde.proto.NodeMessage;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Relays what workers print to their job's driver, as {@link LogBatch}es: the node's log monitor.
 * A worker's route is opened when it is launched and closed once its output has drained.
 *
 * <pre>
 *  worker: System.out ──pipe──▶ LogPump (log file; ":task_name:" markers name the task)
 *                                  │ lines(worker, stderr, task, batch)
 *                                  ▼
 *                               LogRouter ──LogBatch──▶ the driver's session queue ──▶ CoreClient
 *                                                        ──▶ ConsoleLogRelay: "(task pid=N) line", folded repeats
 * </pre>
 *
 * <p>Thread-safe: batches arrive on the workers' log pump threads, without the node's lock;
 * routes change under it.
 */
public final class LogRouter {
    private final String nodeIp;
    private final Map<String, Consumer<NodeMessage>> routes = new ConcurrentHashMap<>();

    /** The node's IP, as its relayed lines carry it. */
    public String nodeIp() {
        return nodeIp;
    }

    public LogRouter(String nodeIp) {
        this.nodeIp = nodeIp;
    }

    /** The worker's output goes to {@code driver}; nowhere when its job does not log to the driver. */
    public void open(String workerId, boolean logToDriver, Consumer<NodeMessage> driver) {
        if (logToDriver) {
            routes.put(workerId, driver);
        }
    }

    public void close(String workerId) {
        routes.remove(workerId);
    }

    /** Lines a worker printed while {@code taskName} ran. */
    public void forward(WorkerHandle worker, boolean stderr, String taskName, List<String> lines) {
        Consumer<NodeMessage> driver = routes.get(worker.workerId());
        if (driver == null) {
            return;
        }
        driver.accept(NodeMessage.newBuilder().setLogs(LogBatch.newBuilder()
                .setWorkerId(worker.workerId()).setPid(worker.pid()).setNodeIp(nodeIp).setStderr(stderr)
                .setTaskName(taskName).addAllLines(lines)).build());
    }
}

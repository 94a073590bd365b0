package io.sonde.internal.node;

import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.TaskTable;
import io.sonde.internal.proto.BreakpointInfo;
import io.sonde.internal.proto.DebugHooks;
import io.sonde.internal.proto.DebugHooksUpdate;
import io.sonde.internal.proto.LineBreakpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's side of the debugger: the tasks parked at a breakpoint, the breakpoints set from a
 * debugger ({@code break}, {@code catch}) that every worker applies, and the workers' JDWP ports.
 *
 * <pre>
 *   worker ─breakpointHit─▶ breakpointHit(): listed (with the worker's JDWP port) ─▶ the job's driver
 *   worker ─resumed──────▶ breakpointResumed(): unlisted
 *   debugger ─update─────▶ update(): kept, sent whole to every worker and to each new one at hello
 *   worker stdout ───────▶ consumeStdout(): "Listening for transport dt_socket at address: PORT"
 * </pre>
 *
 * <p>Not thread-safe, like the node's other parts: the node manager calls it under its lock;
 * except {@link #consumeStdout}, called on log pump threads, which only touches the port map.
 */
final class NodeDebugSupport {
    /** What the JDWP agent prints first on a worker's stdout; the node takes the port from it. */
    static final String JDWP_LISTENING = "Listening for transport dt_socket at address: ";

    private final NodeConfig config;
    private final TaskTable tasks;
    /** Tasks parked at a breakpoint, oldest first. */
    private final LinkedHashMap<String, BreakpointInfo> breakpoints = new LinkedHashMap<>();
    /** Breakpoints set from a debugger ({@code break}, {@code catch}), for every worker. */
    private final List<LineBreakpoint> lineHooks = new ArrayList<>();
    private final List<String> catchHooks = new ArrayList<>();
    private int nextLineHookId = 1;
    /** JDWP port on 127.0.0.1 of each worker, read from the agent's banner; none when off. */
    private final Map<String, Integer> debugPorts = new ConcurrentHashMap<>();

    NodeDebugSupport(NodeConfig config, TaskTable tasks) {
        this.config = config;
        this.tasks = tasks;
    }

    /** A stdout line of a worker: true when it is the JDWP agent's banner, which is not relayed. */
    boolean consumeStdout(String workerId, String line) {
        if (!line.startsWith(JDWP_LISTENING)) {
            return false;
        }
        // printed again with a new port each time a debugger detaches
        debugPorts.put(workerId, Integer.parseInt(line.substring(JDWP_LISTENING.length()).trim()));
        return true;
    }

    /** The worker's JDWP port; 0 when the debugger is off or the agent has not said yet. */
    int debugPort(String workerId) {
        return debugPorts.getOrDefault(workerId, 0);
    }

    /** The hooks a worker applies before its first task, or null when there are none to send. */
    DebugHooks helloHooks(boolean postMortem) {
        DebugHooks hooks = hooksFor(postMortem);
        return io.sonde.internal.worker.DebugAgent.isEmpty(hooks) ? null : hooks;
    }

    /** The hooks as a worker of a job applies them. */
    DebugHooks hooksFor(boolean postMortem) {
        return DebugHooks.newBuilder().addAllLines(lineHooks).addAllCatches(catchHooks)
                .setPostMortem(postMortem).build();
    }

    /**
     * A task parked at {@code Sonde.breakpoint()}: lists it for {@code sonde debug} and returns
     * what its driver is told. The worker's JDWP port comes from the node, which read it from the agent.
     */
    BreakpointInfo breakpointHit(BreakpointInfo hit, String workerId, long pid, String jobId) {
        BreakpointInfo info = hit.toBuilder().setTimeMs(System.currentTimeMillis()).setRootTaskId(rootOf(hit.getTaskId()))
                .setNodeId(config.nodeId())
                .setNodeIp(config.ip()).setPid(pid).setDebugPort(debugPort(workerId)).setWorkerId(workerId)
                .setJobId(jobId).build();
        breakpoints.put(info.getTaskId(), info);
        return info;
    }

    /** The ancestor of a task that its driver submitted, following parents the node still holds. */
    private String rootOf(String taskId) {
        String id = taskId;
        for (int depth = 0; depth < 1000; depth++) {
            TaskRecord t = tasks.get(id);
            if (t == null || t.spec().getParentTaskId().isEmpty()) {
                return id;
            }
            id = t.spec().getParentTaskId();
        }
        return id;
    }

    void breakpointResumed(String taskId) {
        breakpoints.remove(taskId);
    }

    /** The worker exited: its parked tasks ended with it. */
    void workerExited(String workerId) {
        breakpoints.values().removeIf(b -> b.getWorkerId().equals(workerId));
        debugPorts.remove(workerId);
    }

    /** The job's driver left: its parked tasks end with their workers and leave the list now. */
    void jobEnded(String jobId) {
        breakpoints.values().removeIf(b -> b.getJobId().equals(jobId));
    }

    /**
     * {@code break}, {@code clear} and {@code catch} typed in a debugger: kept by the node; the
     * caller sends {@link #hooksFor} to every worker. Returns the result.
     */
    DebugHooks update(DebugHooksUpdate u) {
        if (u.getRemoveAllLines()) {
            lineHooks.clear();
        }
        for (int id : u.getRemoveLinesList()) {
            lineHooks.removeIf(l -> l.getId() == id);
        }
        for (LineBreakpoint l : u.getAddLinesList()) {
            lineHooks.add(l.toBuilder().setId(nextLineHookId++).build());
        }
        if (u.getRemoveAllCatches()) {
            catchHooks.clear();
        }
        catchHooks.removeAll(u.getRemoveCatchesList());
        for (String c : u.getAddCatchesList()) {
            if (!catchHooks.contains(c)) {
                catchHooks.add(c);
            }
        }
        return DebugHooks.newBuilder().addAllLines(lineHooks).addAllCatches(catchHooks).build();
    }

    /** The parked tasks, oldest first, indexed from 0 as {@code sonde debug} shows them. */
    List<BreakpointInfo> list() {
        List<BreakpointInfo> all = new ArrayList<>(breakpoints.size());
        for (BreakpointInfo b : breakpoints.values()) {
            // the agent listens on a new port after each detach: list the current one
            int port = debugPorts.getOrDefault(b.getWorkerId(), b.getDebugPort());
            all.add(b.toBuilder().setIndex(all.size()).setDebugPort(port).build());
        }
        return all;
    }
}

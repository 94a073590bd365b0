package io.sonde.internal.node;

import io.sonde.internal.head.Head;
import io.sonde.internal.node.actor.ActorDirectory;
import io.sonde.internal.node.actor.ActorRecord;
import io.sonde.internal.node.sched.Scheduler;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.TaskState;
import io.sonde.internal.node.task.TaskTable;
import io.sonde.internal.node.memory.ProcessMemory;
import io.sonde.internal.node.worker.Worker;
import io.sonde.internal.node.worker.WorkerHandle;
import io.sonde.internal.node.worker.WorkerPool;
import io.sonde.proto.ActorInfo;
import io.sonde.proto.ClusterStatus;
import io.sonde.proto.NodeInfo;
import io.sonde.proto.WorkerInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code sonde status} and {@code sonde list} show of the node, read from its parts.
 *
 * <p>Not thread-safe: the node manager calls it under its lock. The views that need the memory
 * of processes come in two steps, since reading /proc is slow: a draft taken under the lock, then
 * measured off it ({@link StatusDraft#measured}, {@link #withRss}).
 */
final class NodeViews {
    private final NodeConfig config;
    private final Head head;
    private final TaskTable tasks;
    private final Scheduler scheduler;
    private final WorkerPool pool;
    private final ActorDirectory actors;

    NodeViews(NodeConfig config, Head head, TaskTable tasks, Scheduler scheduler, WorkerPool pool,
              ActorDirectory actors) {
        this.config = config;
        this.head = head;
        this.tasks = tasks;
        this.scheduler = scheduler;
        this.pool = pool;
        this.actors = actors;
    }

    /** The node's status without its memory use, and the workers' pids to measure it from. */
    record StatusDraft(ClusterStatus.Builder status, NodeInfo.Builder node, List<Long> pids) {
        /** Adds the memory the node's JVM and its workers use: reads /proc, off the lock. */
        ClusterStatus measured() {
            long used = ProcessMemory.rssOf(ProcessHandle.current().pid());
            for (long pid : pids) {
                used += ProcessMemory.rssOf(pid);
            }
            return status.addNodes(node.setMemoryUsed(used)).build();
        }
    }

    StatusDraft status() {
        List<Long> pids = new ArrayList<>();
        for (Worker w : pool.all()) {
            pids.add(w.pid());
        }
        int running = 0;
        int pending = 0;
        for (TaskRecord t : tasks.live()) {
            if (t.state() == TaskState.RUNNING) {
                running++;
            } else {
                pending++;
            }
        }
        String address = head.nodes().stream().filter(n -> n.nodeId().equals(config.nodeId()))
                .map(Head.Node::address).findFirst().orElse("");
        NodeInfo.Builder node = NodeInfo.newBuilder()
                .setNodeId(config.nodeId()).setIp(config.ip()).setAddress(address).setAlive(true)
                .setCpusTotal(config.cpus()).setCpusUsed(scheduler.cpusUsed())
                .setMemoryTotal(config.memory()).setWorkers(pool.size());
        return new StatusDraft(ClusterStatus.newBuilder().setRunningTasks(running).setPendingTasks(pending), node, pids);
    }

    List<ActorInfo> actors() {
        List<ActorInfo> all = new ArrayList<>();
        for (ActorRecord a : actors.all()) {
            all.add(ActorInfo.newBuilder().setActorId(a.actorId()).setClassName(a.className()).setName(a.name())
                    .setState(a.state().toProto()).setPid(a.lastPid()).setNodeId(config.nodeId())
                    .setRestarts(a.restarts()).setDeathCause(a.deathCause()).setJobId(a.jobId())
                    .setNamespace(a.namespace()).setDetached(a.detached()).build());
        }
        return all;
    }

    /** The workers without their memory use: see {@link #withRss}. */
    List<WorkerInfo.Builder> workers() {
        List<WorkerInfo.Builder> all = new ArrayList<>();
        for (Worker w : pool.all()) {
            WorkerHandle h = w.handle();
            all.add(WorkerInfo.newBuilder().setWorkerId(w.id()).setPid(w.pid()).setState(w.state().toProto())
                    .setJobId(w.jobId()).setNodeId(config.nodeId())
                    .setCurrentTask(w.current() == null ? "" : w.current().spec().getName())
                    .setActorId(w.actor() == null ? "" : w.actor().actorId())
                    .setLogOut(h.outLog().toString()).setLogErr(h.errLog().toString())
                    .setStartedAtMs(h.startedAtMillis()));
        }
        return all;
    }

    /** Adds the worker's memory use: reads /proc, off the lock. */
    static WorkerInfo withRss(WorkerInfo.Builder w) {
        return w.setRssBytes(ProcessMemory.rssOf(w.getPid())).build();
    }
}

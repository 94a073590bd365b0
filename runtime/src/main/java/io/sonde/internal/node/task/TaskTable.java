package io.sonde.internal.node.task;

import io.sonde.proto.TaskInfo;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's tasks: the live ones by id, and the last {@value #MAX_FINISHED_KEPT} finished ones as
 * {@code sonde list tasks} shows them, with their attempts. Older finished tasks are forgotten and
 * counted ({@link #forgotten}), so a listing can say how much it does not show.
 *
 * <p>Not thread-safe: called by the node manager while it holds its lock.
 */
public final class TaskTable {
    public static final int MAX_FINISHED_KEPT = 10_000;

    private final String nodeId;
    private final Map<String, TaskRecord> live = new HashMap<>();
    private final LinkedHashMap<String, Finished> finished = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Finished> eldest) {
            if (size() > MAX_FINISHED_KEPT) {
                forgotten++;
                return true;
            }
            return false;
        }
    };
    /** Tasks submitted so far: each task's place in the submission order. */
    private long submitted;
    /** Finished tasks dropped from the list to keep it bounded. */
    private long forgotten;

    /** A finished task as listed, and its place in the submission order (newest first in listings). */
    private record Finished(TaskInfo info, List<Attempt> attempts, long sequence) {
    }

    public TaskTable(String nodeId) {
        this.nodeId = nodeId;
    }

    public void add(TaskRecord t) {
        t.sequence(++submitted);
        live.put(t.id(), t);
    }

    /** The live task, or null. */
    public TaskRecord get(String taskId) {
        return live.get(taskId);
    }

    /** The ancestor of a task that its driver submitted, following the parents this table still holds. */
    public String rootOf(String taskId) {
        String id = taskId;
        for (int depth = 0; depth < 1000; depth++) {
            TaskRecord t = live.get(id);
            if (t == null || t.spec().getParentTaskId().isEmpty()) {
                return id;
            }
            id = t.spec().getParentTaskId();
        }
        return id;
    }

    /** Forgets a live task without listing it as finished (an actor's creation when the actor dies). */
    public void remove(String taskId) {
        live.remove(taskId);
    }

    /** Moves a task that reached its final state to the finished list. */
    public void retire(TaskRecord t) {
        live.remove(t.id());
        finished.put(t.id(), new Finished(info(t), List.copyOf(t.attempts()), t.sequence()));
    }

    /** The live tasks of a job, in no particular order. */
    public List<TaskRecord> liveOfJob(String jobId) {
        List<TaskRecord> of = new ArrayList<>();
        for (TaskRecord t : live.values()) {
            if (t.jobId().equals(jobId)) {
                of.add(t);
            }
        }
        return of;
    }

    /** The live tasks that the client session {@code clientId} submitted (it owns them). */
    public List<TaskRecord> ownedBy(String clientId) {
        List<TaskRecord> owned = new ArrayList<>();
        for (TaskRecord t : live.values()) {
            if (t.owner().equals(clientId)) {
                owned.add(t);
            }
        }
        return owned;
    }

    /** Whether the client session owns a task that is not done. */
    public boolean ownsLiveTask(String clientId) {
        for (TaskRecord t : live.values()) {
            if (t.owner().equals(clientId) && !t.state().done()) {
                return true;
            }
        }
        return false;
    }

    /** The name of a live or listed finished task, or null when unknown. */
    public String nameOf(String taskId) {
        TaskRecord t = live.get(taskId);
        if (t != null) {
            return t.spec().getName();
        }
        Finished f = finished.get(taskId);
        return f == null ? null : f.info().getName();
    }

    /** The live tasks that {@code parentTaskId} submitted. */
    public List<TaskRecord> childrenOf(String parentTaskId) {
        List<TaskRecord> children = new ArrayList<>();
        for (TaskRecord t : live.values()) {
            if (t.spec().getParentTaskId().equals(parentTaskId)) {
                children.add(t);
            }
        }
        return children;
    }

    public Collection<TaskRecord> live() {
        return live.values();
    }

    /** The live and the kept finished tasks, newest (last submitted) first. */
    public List<TaskInfo> list() {
        List<Map.Entry<Long, TaskInfo>> all = new ArrayList<>(finished.size() + live.size());
        for (Finished f : finished.values()) {
            all.add(Map.entry(f.sequence(), f.info()));
        }
        for (TaskRecord t : live.values()) {
            all.add(Map.entry(t.sequence(), info(t)));
        }
        all.sort(Map.Entry.<Long, TaskInfo>comparingByKey().reversed());
        List<TaskInfo> sorted = new ArrayList<>(all.size());
        for (Map.Entry<Long, TaskInfo> e : all) {
            sorted.add(e.getValue());
        }
        return sorted;
    }

    /** How many finished tasks were dropped from the list to keep it at {@value #MAX_FINISHED_KEPT}. */
    public long forgotten() {
        return forgotten;
    }

    /** The attempts of a live or finished task that reached a worker, oldest first; empty when unknown. */
    public List<Attempt> attempts(String taskId) {
        TaskRecord t = live.get(taskId);
        if (t != null) {
            return List.copyOf(t.attempts());
        }
        Finished f = finished.get(taskId);
        return f == null ? List.of() : f.attempts();
    }

    public TaskInfo info(TaskRecord t) {
        return TaskInfo.newBuilder().setTaskId(t.id()).setName(t.spec().getName()).setState(t.state().toProto())
                .setKind(t.kind()).setPid(t.lastPid()).setNodeId(nodeId)
                .setErrorType(t.errorType()).setAttempt(t.attempt()).setJobId(t.jobId())
                .setActorId(t.spec().getActorId()).setWorkerId(t.workerId()).setErrorMessage(t.errorMessage()).build();
    }
}

package io.sonde.cli.table;

import io.sonde.profiler.proto.Target;
import io.sonde.proto.ActorInfo;
import io.sonde.proto.TaskInfo;
import io.sonde.proto.WorkerInfo;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Finds the process that {@code sonde profile}'s first word names: a worker by id (or a unique
 * start of one) or pid, a named actor's worker (by name, or by class when one actor of that class
 * lives), a running task's worker, or {@code driver}. Reads the node's lists once per lookup.
 */
public final class ProfileTargets {
    /** The lists of the node the verb talks to. */
    public interface Lists {
        List<WorkerInfo> workers();

        List<ActorInfo> actors();

        List<TaskInfo> tasks();

        /** The lists, each asked for when it is needed. */
        static Lists of(Supplier<List<WorkerInfo>> workers, Supplier<List<ActorInfo>> actors,
                        Supplier<List<TaskInfo>> tasks) {
            return new Lists() {
                @Override
                public List<WorkerInfo> workers() {
                    return workers.get();
                }

                @Override
                public List<ActorInfo> actors() {
                    return actors.get();
                }

                @Override
                public List<TaskInfo> tasks() {
                    return tasks.get();
                }
            };
        }
    }

    /**
     * The process found, and how to name it to the user.
     *
     * @param target      the profiler's target
     * @param description {@code worker 3f2a (pid 4711, actor Cache)}
     */
    public record Found(Target target, String description) {
    }

    private ProfileTargets() {
    }

    /**
     * @throws IllegalArgumentException nothing, or more than one process, goes by that word; the
     *                                  message says what the word can be and where to look
     */
    public static Found find(String word, String address, Lists lists) {
        String w = word.trim();
        if (w.equals("driver")) {
            return new Found(Target.newBuilder().setDriver(true).build(), "the driver");
        }
        List<WorkerInfo> workers = live(lists.workers());
        if (w.matches("\\d{1,10}")) {
            long pid = Long.parseLong(w);
            Optional<WorkerInfo> byPid = workers.stream().filter(x -> x.getPid() == pid).findFirst();
            if (byPid.isPresent()) {
                return found(byPid.get(), lists::actors);
            }
        }
        Optional<WorkerInfo> exact = workers.stream().filter(x -> x.getWorkerId().equals(w)).findFirst();
        if (exact.isPresent()) {
            return found(exact.get(), lists::actors);
        }
        List<ActorInfo> actors = lists.actors().stream().filter(a -> a.getState() != ActorInfo.State.DEAD).toList();
        List<ActorInfo> named = actors.stream().filter(a -> a.getName().equals(w)).toList();
        if (named.isEmpty()) {
            named = actors.stream().filter(a -> a.getClassName().equals(w) || simpleName(a.getClassName()).equals(w)).toList();
        }
        if (named.size() > 1) {
            throw new IllegalArgumentException(named.size() + " live actors go by '" + w + "': name one by its"
                    + " worker's pid (`sonde list actors` shows them).");
        }
        if (named.size() == 1) {
            ActorInfo a = named.get(0);
            return workers.stream().filter(x -> x.getActorId().equals(a.getActorId())).findFirst()
                    .map(x -> found(x, () -> List.of(a)))
                    .orElseThrow(() -> new IllegalArgumentException("Actor '" + w + "' is " + a.getState()
                            + " and has no worker to profile now."));
        }
        Optional<TaskInfo> task = lists.tasks().stream().filter(t -> t.getTaskId().equals(w)).findFirst();
        if (task.isPresent()) {
            TaskInfo t = task.get();
            if (t.getState() != TaskInfo.State.RUNNING) {
                throw new IllegalArgumentException("Task " + w + " (" + t.getName() + ") is " + t.getState()
                        + ", so no worker runs it to profile. Profile a running task, or a worker.");
            }
            WorkerInfo x = workers.stream().filter(v -> v.getWorkerId().equals(t.getWorkerId())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Task " + w + " (" + t.getName() + ") runs on another"
                            + " node (" + t.getNodeId() + "): profile it with --address of that node."));
            return new Found(target(x), "worker " + x.getWorkerId() + " (pid " + x.getPid() + ", task " + t.getName()
                    + " " + t.getTaskId() + ")");
        }
        List<WorkerInfo> prefixed = w.length() >= 4
                ? workers.stream().filter(x -> x.getWorkerId().startsWith(w)).toList() : List.of();
        if (prefixed.size() == 1) {
            return found(prefixed.get(0), lists::actors);
        }
        if (w.matches("\\d{1,10}")) {
            throw new IllegalArgumentException("pid " + w + " is not a Sonde worker of the cluster at " + address
                    + ", nor a JVM of this machine: `sonde list workers` lists the cluster's workers and"
                    + " their pids. (The pid of a JVM of this machine that is not a worker is profiled through the"
                    + " JDK Attach API.)");
        }
        throw new IllegalArgumentException("No worker, actor or task '" + w + "' in the cluster at " + address + "."
                + (prefixed.size() > 1 ? " Several workers' ids start with it: give more of one." : "")
                + " Give a worker id or pid (`sonde list workers`), a live actor's name (`sonde list actors`),"
                + " a running task's id (`sonde list tasks`), or driver.");
    }

    private static List<WorkerInfo> live(List<WorkerInfo> all) {
        return all.stream().filter(x -> x.getState() != WorkerInfo.State.DEAD).toList();
    }

    private static Target target(WorkerInfo x) {
        return Target.newBuilder().setWorkerId(x.getWorkerId()).build();
    }

    private static Found found(WorkerInfo x, Supplier<List<ActorInfo>> actors) {
        String what = "";
        if (!x.getActorId().isEmpty()) {
            what = actors.get().stream().filter(a -> a.getActorId().equals(x.getActorId())).findFirst()
                    .map(a -> ", actor " + (a.getName().isEmpty() ? simpleName(a.getClassName()) : a.getName()))
                    .orElse(", actor " + x.getActorId());
        } else if (!x.getCurrentTask().isEmpty()) {
            what = ", task " + x.getCurrentTask();
        }
        return new Found(target(x), "worker " + x.getWorkerId() + " (pid " + x.getPid() + what + ")");
    }

    private static String simpleName(String className) {
        int dot = Math.max(className.lastIndexOf('.'), className.lastIndexOf('$'));
        return className.substring(dot + 1);
    }
}

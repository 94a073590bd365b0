package io.sonde.internal.node;

import io.sonde.internal.node.actor.ActorRecord;
import io.sonde.internal.node.sched.ResourceSet;
import io.sonde.internal.node.sched.Scheduler;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.worker.Worker;
import io.sonde.proto.TaskKind;
import io.sonde.proto.TaskSpec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Tells a driver, once per shape of request, that its task or actor has waited a while for
 * resources that running work holds, and who holds them, as Ray's "cannot be scheduled right now"
 * warning does: the usual cause is actors that hold CPUs for their life, or tasks blocked on each
 * other. Work that can never fit fails at once instead (see {@code Failures.infeasible}). Not
 * thread-safe: used under the node's lock; the lines are sent after it.
 */
final class WaitWarnings {
    /** How long work waits for resources before its driver is told. */
    static final long AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int HOLDERS_SHOWN = 5;

    /** A line for a job's driver. */
    record Line(String jobId, String text) {
    }

    /** "job shape": the shapes each job was told of. */
    private final Set<String> told = new HashSet<>();

    /** The lines to send now: work waiting longer than {@link #AFTER_NANOS} whose shape its job was not told of. */
    List<Line> collect(Scheduler scheduler, Collection<ActorRecord> actors, Collection<Worker> workers, long now) {
        List<Line> lines = new ArrayList<>();
        for (TaskRecord t : scheduler.waitingForResources(AFTER_NANOS, now)) {
            if (told.add(t.jobId() + " " + ResourceSet.describe(t.spec()))) {
                lines.add(new Line(t.jobId(), text(t, scheduler, actors, workers, now)));
            }
        }
        return lines;
    }

    /** The job ended: a new one with the same id would be told again. */
    void jobEnded(String jobId) {
        told.removeIf(k -> k.startsWith(jobId + " "));
    }

    private static String text(TaskRecord t, Scheduler scheduler, Collection<ActorRecord> actors,
                               Collection<Worker> workers, long now) {
        List<String> holders = new ArrayList<>();
        for (ActorRecord a : actors) {
            if (a.state() != ActorRecord.State.DEAD && !a.workerId().isEmpty() && holds(a.creation().spec())) {
                holders.add(a.describe() + " {" + ResourceSet.describe(a.creation().spec()) + "}");
            }
        }
        for (Worker w : workers) {
            TaskRecord running = w.current();
            if (running != null && running.kind() == TaskKind.NORMAL && holds(running.spec())) {
                holders.add(running.describe() + " {" + ResourceSet.describe(running.spec()) + "}");
            }
        }
        String held = holders.isEmpty() ? "no running work of this node holds any"
                : "held now by " + String.join(", ", holders.subList(0, Math.min(HOLDERS_SHOWN, holders.size())))
                + (holders.size() > HOLDERS_SHOWN ? " and " + (holders.size() - HOLDERS_SHOWN) + " more" : "");
        String what = t.kind() == TaskKind.ACTOR_CREATION ? "the creation of actor " + t.spec().getActorClass()
                + " (id=" + t.spec().getActorId() + ")" : t.describe();
        return "warning: " + what + " has waited " + TimeUnit.NANOSECONDS.toSeconds(now - t.queuedAtNanos())
                + " s for resources: it needs {" + ResourceSet.describe(t.spec()) + "}, this node has {"
                + scheduler.available().describe() + "} free of {" + scheduler.total().describe() + "}, " + held
                + ". It runs once they are given back: an actor holds its resources for its life (Sonde.kill or"
                + " handle.terminate() frees them), a task until it returns (one blocked in get lends its CPUs)."
                + " Ask for less (numCpus, memory, resource) or start the cluster with more. (Told once for this"
                + " request's shape.)";
    }

    private static boolean holds(TaskSpec spec) {
        if (spec.getNumCpus() > 0 || spec.getMemory() > 0) {
            return true;
        }
        for (Map.Entry<String, Double> r : spec.getResourcesMap().entrySet()) {
            if (r.getValue() > 0) {
                return true;
            }
        }
        return false;
    }
}

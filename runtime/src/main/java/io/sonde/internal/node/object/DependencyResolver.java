package io.sonde.internal.node.object;

import io.sonde.ObjectLostException;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.proto.Arg;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.TaskSpec;
import io.sonde.internal.serialization.Serializer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tasks waiting for their argument objects: each task registers on the arguments that are not
 * ready yet and learns when each becomes ready; meanwhile it retains every argument in the store.
 *
 * <pre>
 *   resolve(t) ──all ready──▶ runnable
 *       │ some pending
 *       ▼
 *   waiting[objectId] += t ──object ready──▶ dependents(id) ──argReady(t, id), none left──▶ runnable
 * </pre>
 *
 * <p>Not thread-safe: called by the node manager while it holds its lock.
 */
public final class DependencyResolver {
    private final ObjectStore<?> objects;
    private final Map<String, List<TaskRecord>> waiting = new HashMap<>();

    public DependencyResolver(ObjectStore<?> objects) {
        this.objects = objects;
    }

    /**
     * Registers the task on each argument object that is not ready yet, and retains each argument.
     * Returns null when the task can go on (it is runnable once {@link TaskRecord#pendingArgs()} is
     * empty), or the failure it must fail with: an argument that does not exist, or one that
     * holds a failure (the task then fails with that same failure, as Ray does).
     */
    public ObjectValue resolve(TaskRecord t) {
        // objects whose refs travel inside the task (captured, or in inline arguments): kept while it may run
        for (String id : t.spec().getContainedRefsList()) {
            if (objects.contains(id) && t.heldArgs().add(id)) {
                objects.retain(id);
            }
        }
        for (Arg a : t.spec().getArgsList()) {
            if (a.getKindCase() != Arg.KindCase.REF_ID) {
                continue;
            }
            String id = a.getRefId();
            if (!objects.contains(id)) {
                return Serializer.error(new ObjectLostException("argument " + id + " of " + t.describe()
                        + " does not exist any more: its owner exited or it was never created on this cluster"));
            }
            if (t.heldArgs().add(id)) {
                objects.retain(id);
            }
            ObjectValue v = objects.value(id);
            if (v == null) {
                if (t.pendingArgs().add(id)) {
                    waiting.computeIfAbsent(id, k -> new ArrayList<>(1)).add(t);
                }
            } else if (v.getIsError()) {
                return v;
            }
        }
        return null;
    }

    /** The spec as the worker gets it: argument refs replaced by their values (all ready), attempt set. */
    public TaskSpec inline(TaskRecord t) {
        TaskSpec spec = t.spec();
        if (t.attempt() == 0 && !hasRefs(spec)) {
            return spec; // the common case: sent as submitted, without a copy
        }
        TaskSpec.Builder b = spec.toBuilder().setAttempt(t.attempt());
        for (int i = 0; i < b.getArgsCount(); i++) {
            Arg a = b.getArgs(i);
            if (a.getKindCase() == Arg.KindCase.REF_ID) {
                b.setArgs(i, Arg.newBuilder().setValue(objects.value(a.getRefId())));
            }
        }
        return b.build();
    }

    private static boolean hasRefs(TaskSpec spec) {
        for (int i = 0; i < spec.getArgsCount(); i++) {
            if (spec.getArgs(i).getKindCase() == Arg.KindCase.REF_ID) {
                return true;
            }
        }
        return false;
    }

    /** Takes the tasks that waited for the object, which just became ready. */
    public List<TaskRecord> dependents(String objectId) {
        List<TaskRecord> d = waiting.remove(objectId);
        return d == null ? List.of() : d;
    }

    /** One of the task's arguments is ready: false when the task is done or did not wait for it. */
    public boolean argReady(TaskRecord t, String objectId) {
        return !t.state().done() && t.pendingArgs().remove(objectId);
    }

    /** The task stops waiting (it failed or was cancelled). */
    public void forget(TaskRecord t) {
        for (String pending : t.pendingArgs()) {
            List<TaskRecord> d = waiting.get(pending);
            if (d != null) {
                d.remove(t);
                if (d.isEmpty()) {
                    waiting.remove(pending);
                }
            }
        }
        t.pendingArgs().clear();
    }

    /** The task is done: its arguments may go. */
    public void releaseArgs(TaskRecord t) {
        for (String held : t.heldArgs()) {
            objects.unretain(held);
        }
        t.heldArgs().clear();
    }

    /** The objects are gone (their job ended): nobody learns of them any more. */
    public void forgetObjects(Collection<String> objectIds) {
        objectIds.forEach(waiting::remove);
    }
}

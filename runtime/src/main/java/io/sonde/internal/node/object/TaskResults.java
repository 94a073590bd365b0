package io.sonde.internal.node.object;

import io.sonde.ObjectLostException;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.task.TaskState;
import io.sonde.internal.node.task.TaskTable;
import io.sonde.proto.NodeMessage;
import io.sonde.proto.ObjectReady;
import io.sonde.proto.ObjectValue;
import io.sonde.internal.serialization.Serializer;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * How values reach whoever waits for them. A task's end (its result or its failure) becomes the
 * value of its return object, and so does a client's put; then the object's owner and
 * subscribers are told, and the tasks that wait for it as an argument wake: they may run, or they
 * fail with the failure it holds.
 *
 * <pre>
 *   complete(t, result) ──┐                ┌──▶ Waiters.send: owner, subscribers (ready)
 *   put(owner, id, v) ────┴──▶ ObjectStore ┤
 *                                          └──▶ DependencyResolver.dependents ──▶ argsReady | argFailed
 * </pre>
 *
 * <p>Not thread-safe: called by the node manager while it holds its lock. {@link Waiters#send}
 * only enqueues; the wake-ups run on the same thread and may complete more tasks (a failure
 * travels down a chain of tasks), which come back here.
 *
 * @param <C> the node's clients, as in {@link ObjectStore}
 */
public final class TaskResults<C> {
    /** Whom a value reaches; implemented by the node manager, which dispatches by kind of task. */
    public interface Waiters<C> {
        /** Enqueues the message on the client's connection. */
        void send(C client, NodeMessage m);

        /** All the task's arguments are ready: it may run. */
        void argsReady(TaskRecord t);

        /** The task's argument {@code objectId} holds {@code failure}: the task must fail with it. */
        void argFailed(TaskRecord t, String objectId, ObjectValue failure);
    }

    private final ObjectStore<C> objects;
    private final DependencyResolver resolver;
    private final TaskTable tasks;
    private final Waiters<C> waiters;

    public TaskResults(ObjectStore<C> objects, DependencyResolver resolver, TaskTable tasks, Waiters<C> waiters) {
        this.objects = objects;
        this.resolver = resolver;
        this.tasks = tasks;
        this.waiters = waiters;
    }

    /**
     * Registers the task on each argument object that is not ready yet. Returns true when all
     * are ready; false when it must wait, or when it already failed because an argument is gone
     * or holds a failure.
     */
    public boolean resolve(TaskRecord t) {
        ObjectValue failure = resolver.resolve(t);
        if (failure != null) {
            fail(t, failure);
            return false;
        }
        return t.pendingArgs().isEmpty();
    }

    /** Stores the task's result (a value or a failure) and retires the task. */
    public void complete(TaskRecord t, ObjectValue result) {
        if (t.state().done()) {
            return;
        }
        if (t.cancelled()) {
            t.state(TaskState.CANCELLED);
        } else {
            t.state(result.getIsError() ? TaskState.FAILED : TaskState.FINISHED);
        }
        t.errorType(result.getIsError() ? result.getErrorType() : "");
        resolver.releaseArgs(t);
        tasks.retire(t);
        t.ended();
        String returnId = t.spec().getReturnId();
        ready(returnId, objects.complete(returnId, result), result);
    }

    /** Fails a task that may still wait for arguments: it stops waiting, then completes with the error. */
    public void fail(TaskRecord t, ObjectValue error) {
        resolver.forget(t);
        complete(t, error);
    }

    /** The object's value or failure; null while it is pending or when it is unknown. */
    public ObjectValue value(String id) {
        return objects.value(id);
    }

    /**
     * A client put the object's value. Its owner, which put it, has it already: only the
     * subscribers and the tasks waiting for it are told (an echo to the owner cost a message per
     * put, and kept each dropped put's value in the owner for good).
     */
    public void put(C owner, String id, ObjectValue v) {
        List<C> tell = objects.put(id, owner, v);
        if (tell != null) {
            tell.remove(owner);
        }
        ready(id, tell, v);
    }

    /**
     * The owner of these objects is gone: each one still pending gets {@code failure} as its
     * value, so whoever waits for it (subscribers, tasks that take it as an argument) fails now
     * instead of waiting for a value no one will produce.
     */
    public void ownerDied(Predicate<C> owner, Function<String, ObjectValue> failure) {
        for (String id : objects.pendingOwnedBy(owner)) {
            ObjectValue v = failure.apply(id);
            ready(id, objects.complete(id, v), v);
        }
    }

    /** The client learns the object's value: now when it is ready, else once it is. */
    public void subscribe(C client, String id) {
        if (!objects.contains(id)) {
            waiters.send(client, message(id, Serializer.error(new ObjectLostException("object " + id + " does not"
                    + " exist on this cluster: its owner exited, or the ref comes from another cluster or an"
                    + " earlier run"))));
            return;
        }
        ObjectValue v = objects.value(id);
        if (v != null) {
            waiters.send(client, message(id, v));
        } else {
            objects.subscribe(id, client);
        }
    }

    /** The object got its value: tell its owner and subscribers, then the tasks waiting for it. */
    private void ready(String id, List<C> tell, ObjectValue v) {
        if (tell == null) {
            return;
        }
        NodeMessage msg = message(id, v);
        for (C client : tell) {
            waiters.send(client, msg);
        }
        for (TaskRecord t : resolver.dependents(id)) {
            if (!resolver.argReady(t, id)) {
                continue;
            }
            if (v.getIsError()) {
                waiters.argFailed(t, id, v);
            } else if (t.pendingArgs().isEmpty()) {
                waiters.argsReady(t);
            }
        }
    }

    private static NodeMessage message(String id, ObjectValue v) {
        return NodeMessage.newBuilder().setReady(ObjectReady.newBuilder().setObjectId(id).setValue(v)).build();
    }
}

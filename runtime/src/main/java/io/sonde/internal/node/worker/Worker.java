package io.sonde.internal.node.worker;

import io.sonde.internal.node.task.WorkerKind;
import io.grpc.stub.StreamObserver;
import io.sonde.internal.node.actor.ActorRecord;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.proto.WorkerCommand;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A worker of the pool: its process handle, the job it serves, what it runs, and its command
 * stream once it said hello. See {@link WorkerState} for its lifecycle.
 *
 * <p>Not thread-safe: guarded by the node manager's lock, except the end of its message stream
 * ({@link #streamEnded}, {@link #awaitStreamEnd}), which the transport signals and the exit
 * handler awaits without the lock. The command stream it is given at hello only enqueues (the
 * node delivers after it lets go of its lock), so sending under the lock never calls into the
 * transport.
 */
public final class Worker {
    private final WorkerHandle handle;
    private final String jobId;
    private ActorRecord actor;
    private boolean ranTasks;
    private StreamObserver<WorkerCommand> commands;
    private boolean registered;
    private boolean dead;
    private TaskRecord current;
    /** Normal tasks sent behind {@link #current}, not started yet, in the order the worker runs them. */
    private final java.util.ArrayDeque<TaskRecord> pipeline = new java.util.ArrayDeque<>();
    /** Its current task blocked, or the worker gave tasks back: nothing more is pipelined until that task ends. */
    private boolean pipelineClosed;
    private final java.util.Set<TaskRecord> askedBack = new java.util.HashSet<>();
    private long idleSinceNanos;
    /** Set when the memory monitor killed the worker: why, in its report. */
    private String memoryKill;
    /** Completes once every message the worker sent has been handled: its stream ended. */
    private final CompletableFuture<Void> streamEnd = new CompletableFuture<>();

    /** The JVM options it was started with beyond the job's: only tasks that ask for them run here. */
    private final java.util.List<String> jvmOptions;

    /** @param actor the actor the worker is started for, or null for a worker of normal tasks */
    public Worker(WorkerHandle handle, String jobId, ActorRecord actor) {
        this(handle, new WorkerKind(jobId, java.util.List.of()), actor);
    }

    /**
     * @param kind  its job, and the JVM options it was started with beyond the job's
     * @param actor the actor the worker is started for, or null for a worker of normal tasks
     */
    public Worker(WorkerHandle handle, WorkerKind kind, ActorRecord actor) {
        this.handle = handle;
        this.jobId = kind.jobId();
        this.jvmOptions = kind.jvmOptions();
        this.actor = actor;
    }

    /** Which tasks it may run: those of its job that asked for the JVM options it was started with. */
    public WorkerKind kind() {
        return new WorkerKind(jobId, jvmOptions);
    }

    public String id() {
        return handle.workerId();
    }

    public long pid() {
        return handle.pid();
    }

    public WorkerHandle handle() {
        return handle;
    }

    public String jobId() {
        return jobId;
    }

    /** The actor this worker hosts, or null. */
    public ActorRecord actor() {
        return actor;
    }

    /** The worker was given a task: from now on it holds what its tasks left behind (statics, owned work). */
    public boolean ranTasks() {
        return ranTasks;
    }

    /** An idle worker that never ran a task becomes the host of the actor, for the rest of its life. */
    public void host(ActorRecord a) {
        if (actor != null) {
            throw new IllegalStateException("worker " + id() + " hosts actor " + actor.actorId() + " already");
        }
        this.actor = a;
    }

    /**
     * The worker said hello on its Attach stream: commands go there from now on. {@code commands}
     * must not block nor call back: it only enqueues.
     */
    public void registered(StreamObserver<WorkerCommand> commands) {
        this.commands = commands;
        this.registered = true;
    }

    public boolean registered() {
        return registered;
    }

    public boolean dead() {
        return dead;
    }

    public void markDead() {
        this.dead = true;
    }

    /** The normal task the worker runs, or null. */
    public TaskRecord current() {
        return current;
    }

    public void current(TaskRecord t) {
        this.current = t;
        this.pipelineClosed = false;
        if (t != null && actor == null) {
            ranTasks = true;
        }
    }

    /**
     * The normal tasks sent to this worker behind its current one, oldest first: they start, in
     * this order, when the ones before them end. The node changes it; a worker runs them as queued.
     */
    public java.util.ArrayDeque<TaskRecord> pipeline() {
        return pipeline;
    }

    /** Whether the task is the one this worker runs or one queued behind it. */
    public boolean holds(TaskRecord t) {
        return current == t || pipeline.contains(t);
    }

    /** Tasks of {@link #pipeline} the node asked this worker to give back (for an idle worker), not answered yet. */
    public java.util.Set<TaskRecord> askedBack() {
        return askedBack;
    }

    /** No more tasks go behind the current one until it ends: it blocked, or the worker gave its queue back. */
    public void closePipeline() {
        this.pipelineClosed = true;
    }

    public boolean pipelineClosed() {
        return pipelineClosed;
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    void idleSince(long nanos) {
        this.idleSinceNanos = nanos;
    }

    public WorkerState state() {
        if (dead) {
            return WorkerState.DEAD;
        }
        if (!registered) {
            return WorkerState.STARTING;
        }
        return current != null || actor != null ? WorkerState.BUSY : WorkerState.IDLE;
    }

    /**
     * Sends a command, if the worker said hello. A worker whose stream broke is about to be
     * reaped: the process exit handler reports what happened to it, so the command is dropped.
     */
    public void send(WorkerCommand command) {
        if (commands != null) {
            commands.onNext(command);
        }
    }

    /** Ends the command stream after the commands sent so far. */
    public void closeCommands() {
        if (commands != null) {
            commands.onCompleted();
        }
    }

    /**
     * The worker's message stream ended (the process closed it, or died): the messages it sent
     * before have all been handled. Any thread.
     */
    public void streamEnded() {
        streamEnd.complete(null);
    }

    /**
     * Waits up to {@code timeout} for the end of the worker's message stream; returns whether it
     * ended. Without the node's lock: the messages still on their way need it.
     */
    public boolean awaitStreamEnd(Duration timeout) {
        try {
            streamEnd.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return streamEnd.isDone();
        }
    }

    public void kill() {
        handle.kill();
    }

    /**
     * The node's memory monitor is about to kill this worker: {@code report} says why, and the
     * work it ran fails (or retries) with it rather than as a crash.
     */
    public void killedForMemory(String report) {
        this.memoryKill = report;
    }

    /** Why the memory monitor killed this worker, or null when it did not. */
    public String memoryKill() {
        return memoryKill;
    }
}

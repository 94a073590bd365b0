package io.sonde;

import io.sonde.internal.SondeRuntime;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The entry point: start or join a cluster, submit tasks and actors, read their results.
 * <pre>{@code
 * Sonde.init();
 * ObjectRef<Integer> a = Sonde.task(() -> 1).remote();
 * ObjectRef<Integer> b = Sonde.task((Integer x) -> x + 1, a).remote();
 * int v = Sonde.get(b);   // 2
 * Sonde.shutdown();
 * }</pre>
 * The {@code task(...)} and {@code actor(...)} overloads are inherited from {@link SondeCalls}.
 * All methods are thread-safe. Inside a task or actor method they talk to the cluster the
 * worker belongs to; {@code init} is not needed there.
 */
public final class Sonde extends SondeCalls {
    private Sonde() {
    }

    /**
     * Connects to the cluster named by {@code SONDE_ADDRESS} if it is set, else starts an
     * embedded one: head and node manager in this JVM, workers as child JVMs.
     */
    public static void init() {
        init(new InitOptions());
    }

    /** Connects to a running cluster ({@code sonde://host:port}, as printed by {@code sonde start --head}). */
    public static void init(String address) {
        init(new InitOptions().address(Objects.requireNonNull(address, "address")));
    }

    public static void init(InitOptions options) {
        SondeRuntime.init(options);
    }

    /** Disconnects; an embedded cluster stops and its workers exit. Safe to call twice. */
    public static void shutdown() {
        SondeRuntime.shutdown();
    }

    public static boolean isInitialized() {
        return SondeRuntime.isInitialized();
    }

    /** Waits for the value; throws the failure the ref holds, if any. */
    public static <T> T get(ObjectRef<T> ref) {
        return SondeRuntime.client().get(ref, null);
    }

    /** Waits at most {@code timeout}; throws {@link GetTimeoutException} when it expires. */
    public static <T> T get(ObjectRef<T> ref, Duration timeout) {
        return SondeRuntime.client().get(ref, Objects.requireNonNull(timeout, "timeout"));
    }

    /** The values of all refs, in order; throws the first failure met. */
    public static <T> List<T> get(List<ObjectRef<T>> refs) {
        return get(refs, null);
    }

    /**
     * The values of all refs, in order, waiting at most {@code timeout} in all (null: no
     * timeout); throws the first failure met, or {@link GetTimeoutException} saying how many of
     * the refs were not ready when the whole wait was over.
     */
    public static <T> List<T> get(List<ObjectRef<T>> refs, Duration timeout) {
        return SondeRuntime.client().get(refs, timeout);
    }

    /** Stores a value in the cluster; pass the ref to many tasks to ship the value once. */
    public static <T> ObjectRef<T> put(T value) {
        return SondeRuntime.client().put(value);
    }

    /**
     * Stores a value in the cluster as the object of an actor, {@code owner} (Ray's
     * {@code ray.put(value, _owner=actor)}): the object lives while the actor lives and some
     * process holds a ref to it, as if the actor had put it; the caller only borrows it. So it
     * outlives the caller: a detached actor's object stays after the driver that put it left,
     * for the tasks and drivers its ref was passed to. When the actor ends, its objects go with
     * it, and a later read of one fails as for any object whose owner is gone.
     *
     * <p>Waits until the actor is alive (a new actor may still be starting).
     *
     * @throws ActorDiedException the actor is dead, or died before it was alive
     */
    public static <T> ObjectRef<T> put(T value, ActorHandle<?> owner) {
        java.util.Objects.requireNonNull(owner, "owner: the actor to own the object");
        return SondeRuntime.client().put(value, owner.actorId(), owner.toString());
    }

    /**
     * Waits until {@code numReturns} of the refs are ready or the timeout expires (null: no
     * timeout), then tells which are ready.
     */
    public static <T> WaitResult<T> wait(List<ObjectRef<T>> refs, int numReturns, Duration timeout) {
        return SondeRuntime.client().wait(refs, numReturns, timeout);
    }

    /** Waits for the first of the refs to be ready. */
    public static <T> WaitResult<T> wait(List<ObjectRef<T>> refs) {
        return wait(refs, Math.min(1, refs.size()), null);
    }

    /**
     * Cancels the task that produces the ref, and the tasks it submitted: pending tasks never
     * run, running ones are interrupted. See {@link #cancel(ObjectRef, boolean, boolean)}.
     */
    public static void cancel(ObjectRef<?> ref) {
        cancel(ref, false, true);
    }

    /**
     * Cancels the task that produces the ref, as Ray's {@code ray.cancel}. Returns at once; a
     * {@link #get} of the ref throws {@link TaskCancelledException} from now on, and a cancelled
     * task is never retried.
     *
     * <p>A task that waits leaves its queue and never runs. A running task is interrupted
     * ({@code Thread.interrupt}); code that ignores interrupts (a loop that never checks them, a
     * read blocked in native code) goes on, keeping its worker busy and its CPUs taken: when it
     * still runs about a second later, the driver prints a line that says so. With
     * {@code force}, the worker process that runs the task is killed, whatever was tried before
     * (a soft cancel of the same task included); the worker's other state is lost, results of
     * other tasks are not. Actor calls are only interrupted, never forced: {@link #kill} ends an
     * actor.
     *
     * @param force     kill the worker process running the task instead of interrupting it
     * @param recursive also cancel the tasks this task submitted
     */
    public static void cancel(ObjectRef<?> ref, boolean force, boolean recursive) {
        SondeRuntime.client().cancelAndWarn(ref, force, recursive);
    }

    /**
     * Frees the objects now, before their refs go (Ray's {@code ray.internal.free}): their values
     * leave the node's memory and the object store, and a later {@code get} of any of them (by
     * any process) throws {@link ObjectFreedException} saying who freed it and from where. A
     * result not computed yet is dropped when it is. A process that already read a value keeps
     * its own copy. Low level: use it when a large object must go before the garbage collector
     * finds its refs.
     */
    public static void free(List<? extends ObjectRef<?>> refs) {
        SondeRuntime.client().free(refs, io.sonde.internal.client.CallSites.always());
    }

    /** Kills the actor's process; it is not restarted. */
    public static void kill(ActorHandle<?> actor) {
        kill(actor, true);
    }

    /** Kills the actor's process; with {@code noRestart=false} it restarts if it has restarts left. */
    public static void kill(ActorHandle<?> actor, boolean noRestart) {
        SondeRuntime.client().kill(actor, noRestart);
    }

    /**
     * The live actor created with {@code .name(name)} in this job's namespace
     * ({@code InitOptions.namespace}, else the job's anonymous one), if any, as Ray's
     * {@code ray.get_actor(name)}. The handle counts as one of the actor's handles while it lives.
     */
    public static <A> Optional<ActorHandle<A>> getActor(String name) {
        return SondeRuntime.client().getActor(name, null);
    }

    /**
     * The live actor named {@code name} in {@code namespace}, if any, as Ray's
     * {@code ray.get_actor(name, namespace=...)}: actors of other jobs (other drivers connected to
     * the same cluster) are found in a namespace they share, a detached actor after its driver
     * left too. A job's anonymous namespace is its own: its actors are not found from other jobs.
     */
    public static <A> Optional<ActorHandle<A>> getActor(String name, String namespace) {
        return SondeRuntime.client().getActor(name, Options.name(namespace));
    }

    /**
     * Parks the calling task or actor method (only its thread; the worker's other threads go on)
     * and lists it as an active breakpoint: its driver prints
     * {@code (square pid=4711) breakpoint at Tasks.java:12 — attach with 'sonde debug' or /debug}.
     * The task goes on when a debugger attached to it continues or detaches; cancelling the task
     * ends the wait with {@link TaskCancelledException}. Parking is the debugger's work (module
     * {@code sonde-debugger}, a plug-in of the runtime): where it is off ({@code SONDE_DEBUGGER=off})
     * or not on the job's classpath, the worker prints a warning on its stderr and the call returns.
     *
     * <p>In a driver (outside any task) it stops the calling thread the same way, as Ray's
     * {@code breakpoint()} in a driver does: the node lists the stop as {@code driver} with the
     * driver's pid, the driver prints {@code (driver pid=2799) breakpoint at Main.java:25 — attach
     * with 'sonde debug' in another terminal; ...}, and the workers' prints to its terminal are held
     * until it goes on (up to 10 000 lines; past that it says how many it did not show). An interrupt
     * of the thread ends the wait (the interrupt status stays set). The driver's JVM must have
     * started with a JDWP agent on loopback, which HotSpot cannot load later: {@code sonde run} and
     * {@code sonde shell} start with it; a JVM started otherwise needs
     * {@code -agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0,quiet=y
     * --add-exports=java.base/jdk.internal.vm=ALL-UNNAMED}. Without it, before {@code Sonde.init},
     * or with the debugger off, the call says why on stderr and returns.
     */
    public static void breakpoint() {
        SondeRuntime.breakpoint();
    }

    /**
     * Ends the actor whose method calls it, on purpose, once the method returns (Ray's
     * {@code exit_actor}): the call's result is delivered, the actor's {@code close()} runs when
     * its class implements {@link AutoCloseable}, and its process exits. It is not restarted,
     * whatever {@code maxRestarts} says; calls queued behind this one and later calls fail with
     * {@link ActorDiedException} saying it exited on purpose, and from where.
     *
     * @throws IllegalStateException outside an actor method: in a driver, a task, or a constructor
     */
    public static void exitActor() {
        SondeRuntime.exitActor(io.sonde.internal.client.CallSites.always());
    }

    /** Where the calling code runs: task, actor, node, pid, attempt. */
    public static RuntimeContext context() {
        return SondeRuntime.context();
    }
}

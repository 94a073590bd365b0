package io.sonde;

import io.sonde.internal.SondeRuntime;
import io.sonde.internal.client.CallOptions;

import java.util.List;
import java.util.Objects;

/**
 * An actor about to be created: set options, then call {@link #remote()}.
 * <pre>{@code ActorHandle<Counter> c = Sonde.actor(Counter::new, 10).name("counter").maxRestarts(2).remote();}</pre>
 */
public final class ActorCreator<A> {
    private final Object constructor;
    private final Object[] args;
    private final CallOptions options = CallOptions.forActor();

    ActorCreator(Object constructor, Object[] args) {
        this.constructor = Objects.requireNonNull(constructor, "actor constructor");
        this.args = args;
    }

    /**
     * A name unique in the actor's namespace (the job's, unless {@link #namespace} says another):
     * {@link Sonde#getActor(String)} finds the actor by it in its own job, and
     * {@link Sonde#getActor(String, String)} from any job of the cluster, when the namespace is
     * not the job's anonymous one. Creating a second live actor of the same name in the same
     * namespace fails with {@link IllegalArgumentException} naming the first. A named actor that is
     * not {@link ActorLifetime#DETACHED detached} still ends when its last handle goes, as Ray's:
     * a name does not keep it alive.
     */
    public ActorCreator<A> name(String name) {
        options.name = Options.name(name);
        return this;
    }

    /**
     * The namespace the actor's name is unique in, as Ray's {@code namespace=} option; by default
     * the job's ({@code InitOptions.namespace}, else an anonymous one of the job's own).
     */
    public ActorCreator<A> namespace(String namespace) {
        options.namespace = Options.name(namespace);
        return this;
    }

    /**
     * How long the actor lives, as Ray's {@code lifetime="detached"}: {@link ActorLifetime#NON_DETACHED}
     * (the default) ends it when its last handle goes or its driver exits;
     * {@link ActorLifetime#DETACHED} lets it outlive both, until it is terminated, exits, is killed
     * or the node stops. A detached actor must be named (see {@link #remote()}).
     */
    public ActorCreator<A> lifetime(ActorLifetime lifetime) {
        options.detached = Objects.requireNonNull(lifetime, "lifetime") == ActorLifetime.DETACHED;
        return this;
    }

    /** How many times the actor is restarted after its process dies (0 by default; -1 forever). */
    public ActorCreator<A> maxRestarts(int maxRestarts) {
        options.maxRestarts = Options.retries("maxRestarts", maxRestarts);
        return this;
    }

    /**
     * How many times a call in flight when the actor died is retried on the restarted actor (-1:
     * always). With 0, the default, calls are at most once: one made while the actor restarts
     * fails at once with {@link ActorUnavailableException} instead of waiting for it. Needs
     * {@link #maxRestarts} other than 0: {@link #remote()} refuses it without.
     */
    public ActorCreator<A> maxTaskRetries(int maxTaskRetries) {
        options.maxTaskRetries = Options.retries("maxTaskRetries", maxTaskRetries);
        return this;
    }

    /**
     * How many calls of the actor may run at once (1 by default), as Ray's threaded actors'
     * {@code max_concurrency}. With 1 the actor runs its calls one at a time, each caller's in the
     * order it submitted them. With {@code n > 1} up to n calls run at once on a pool of n threads
     * of the actor's worker (named {@code sonde-task-1} to {@code sonde-task-n}), in any order: the
     * actor's methods must be thread-safe. A {@code terminate()} still runs only once every call
     * submitted before it has finished, and a call that calls {@code Sonde.exitActor()} ends the
     * actor once the calls running beside it have finished; later calls do not run. When the
     * actor's process dies, up to n calls may have been running: each of the n oldest calls in
     * flight fails with {@link ActorDiedException}, or is retried on the restarted actor as
     * {@link #maxTaskRetries} allows; the calls behind them wait for the restarted actor.
     * {@code Sonde.breakpoint()} parks a call on its pool thread as on the task thread; the
     * debugger's {@code break}, {@code catch} and post-mortem stop only what runs on the task
     * thread (the constructor and {@code terminate()}), not the pool's calls.
     *
     * @throws IllegalArgumentException when {@code maxConcurrency} is less than 1
     */
    public ActorCreator<A> maxConcurrency(int maxConcurrency) {
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("maxConcurrency must be 1 (one call at a time, in order) or more"
                    + " (that many calls at once), got " + maxConcurrency);
        }
        options.maxConcurrency = maxConcurrency;
        return this;
    }

    /**
     * Options of the worker JVM the actor runs in (Ray Java's {@code setJvmOptions}), e.g.
     * {@code jvmOptions("-Xmx2g", "-Dmode=fast")}: they come after the job's
     * ({@code InitOptions.workerJvmOptions}), so a later {@code -Xmx} wins. The actor starts in a
     * JVM started for it with them (not a spare of the job's). A worker started with options is
     * never shared with a task or actor that asked for other options, or for none.
     * Calling it again replaces the options.
     *
     * @throws IllegalArgumentException when an option is empty, is not one option starting with
     *                                  {@code -}, or is one Sonde sets itself ({@code -cp},
     *                                  {@code -classpath}, {@code -jar}, {@code -XX:ErrorFile})
     */
    public ActorCreator<A> jvmOptions(String... options) {
        List<String> checked = Options.jvmOptions(options);
        this.options.jvmOptions.clear();
        this.options.jvmOptions.addAll(checked);
        return this;
    }

    /** CPUs the actor holds for its whole life (0 by default). */
    public ActorCreator<A> numCpus(double numCpus) {
        options.numCpus = Options.quantity("numCpus", numCpus);
        return this;
    }

    /** Bytes of memory the actor needs. */
    public ActorCreator<A> memory(long bytes) {
        options.memory = (long) Options.nonNegative("memory", bytes);
        return this;
    }

    /**
     * A custom resource the actor holds for its whole life, e.g. {@code resource("GPU", 1)}, as a
     * task's: it starts where the resource is free, waits while it is taken, and dies at once with
     * why when no node has that much.
     */
    public ActorCreator<A> resource(String name, double amount) {
        options.resources.put(Options.name(name), Options.quantity("resource " + name, amount));
        return this;
    }

    /** Where the actor runs: {@link SchedulingStrategy#DEFAULT}, {@code SPREAD} or a node affinity. */
    public ActorCreator<A> scheduling(SchedulingStrategy strategy) {
        options.scheduling = Objects.requireNonNull(strategy, "scheduling strategy");
        return this;
    }

    /**
     * Starts creating the actor; returns at once. Calls made before it is alive wait for it.
     *
     * @throws IllegalArgumentException when options contradict each other: {@link #maxTaskRetries}
     *                                  without {@link #maxRestarts} (as Ray refuses it); when the
     *                                  actor is {@link ActorLifetime#DETACHED detached} and has no
     *                                  name; or when a live actor of the same name exists in its
     *                                  namespace
     */
    public ActorHandle<A> remote() {
        if (options.detached && options.name == null) {
            throw new IllegalArgumentException("a detached actor must be named: give it .name(\"...\") so that"
                    + " it can be reached with Sonde.getActor(name, namespace) once its driver has left (Ray refuses"
                    + " an unnamed detached actor too)");
        }
        return SondeRuntime.client().createActor(constructor, args, Options.checkActor(options));
    }
}

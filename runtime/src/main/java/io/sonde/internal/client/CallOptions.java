package io.sonde.internal.client;

import io.sonde.SchedulingStrategy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options a caller set on a task, actor or actor call before {@code remote()}. Filled by the
 * public fluent callers, read once by {@link CoreClient} when it builds the task spec.
 */
public final class CallOptions {
    /** Retries of a task whose worker the memory monitor killed, unless it says otherwise. */
    public static final int DEFAULT_OOM_RETRIES = 15;
    public String name;
    public int maxRetries;
    public int oomRetries;
    public boolean retryExceptions;
    public final List<String> retryExceptionClasses = new ArrayList<>();
    public double numCpus;
    public long memory;
    public final Map<String, Double> resources = new LinkedHashMap<>();
    public SchedulingStrategy scheduling = SchedulingStrategy.DEFAULT;
    public int maxRestarts;
    public int maxTaskRetries;
    /** An actor's calls that may run at once; 1: one at a time, in order. */
    public int maxConcurrency = 1;
    /** Actors: outlives its driver (ActorLifetime.DETACHED). */
    public boolean detached;
    /** Actors: the namespace of its name; null: the job's. */
    public String namespace;
    /** Options of the worker JVM the task or actor runs in, after the job's. */
    public final List<String> jvmOptions = new ArrayList<>();

    public static CallOptions forTask() {
        CallOptions o = new CallOptions();
        o.maxRetries = 3;
        o.oomRetries = DEFAULT_OOM_RETRIES;
        o.numCpus = 1;
        return o;
    }

    public static CallOptions forActor() {
        CallOptions o = new CallOptions();
        // Like Ray: an actor needs no CPU while it lives unless it asks for one, so many small
        // actors fit on a node; a CPU count given explicitly is held for the actor's lifetime.
        o.numCpus = 0;
        return o;
    }
}

package io.sonde;

import io.sonde.internal.SondeRuntime;
import io.sonde.internal.client.CallOptions;

import java.util.List;
import java.util.Objects;

/**
 * A task about to be submitted: set options, then call {@link #remote()}.
 * <pre>{@code ObjectRef<Integer> r = Sonde.task(Tasks::square, 7).name("square").maxRetries(3).remote();}</pre>
 */
public final class TaskCaller<R> {
    private final Object function;
    private final Object[] args;
    private final CallOptions options = CallOptions.forTask();

    TaskCaller(Object function, Object[] args) {
        this.function = Objects.requireNonNull(function, "task function");
        this.args = args;
    }

    /** The name shown in print prefixes, errors and {@code sonde list tasks}. */
    public TaskCaller<R> name(String name) {
        options.name = Options.name(name);
        return this;
    }

    /**
     * How many times the task is retried when its worker dies (3 by default; -1 forever; 0 never).
     * With {@link #retryExceptions} the count also covers exceptions the task throws.
     */
    public TaskCaller<R> maxRetries(int maxRetries) {
        options.maxRetries = Options.retries("maxRetries", maxRetries);
        return this;
    }

    /**
     * How many times the task is retried after the node's memory monitor killed its worker to keep
     * the node from running out of memory (15 by default; -1 forever; 0 never). Counted apart from
     * {@link #maxRetries}, with a backoff between attempts; when none is left, {@code get} throws
     * {@link OutOfMemoryException}.
     */
    public TaskCaller<R> oomRetries(int oomRetries) {
        options.oomRetries = Options.retries("oomRetries", oomRetries);
        return this;
    }

    /** Whether an exception thrown by the task is retried too (false by default). */
    public TaskCaller<R> retryExceptions(boolean retry) {
        options.retryExceptions = retry;
        options.retryExceptionClasses.clear();
        return this;
    }

    /**
     * Retry only exceptions that are instances of one of these classes.
     *
     * @throws IllegalArgumentException when the list is empty (it would retry nothing: use
     *                                  {@code retryExceptions(false)})
     */
    public TaskCaller<R> retryExceptions(List<Class<? extends Throwable>> exceptionClasses) {
        if (exceptionClasses.isEmpty()) {
            throw new IllegalArgumentException("retryExceptions got no exception classes, so it would retry none:"
                    + " name at least one, or use retryExceptions(true) for all and retryExceptions(false) for none");
        }
        options.retryExceptions = true;
        options.retryExceptionClasses.clear();
        for (Class<? extends Throwable> c : exceptionClasses) {
            options.retryExceptionClasses.add(c.getName());
        }
        return this;
    }

    /** CPUs the task holds while it runs (1 by default; 0 lets it run beside others). */
    public TaskCaller<R> numCpus(double numCpus) {
        options.numCpus = Options.quantity("numCpus", numCpus);
        return this;
    }

    /** Bytes of memory the task needs; the scheduler admits it only where that much is free. */
    public TaskCaller<R> memory(long bytes) {
        options.memory = (long) Options.nonNegative("memory", bytes);
        return this;
    }

    /** A custom resource the task needs, e.g. {@code resource("GPU", 1)}. */
    public TaskCaller<R> resource(String name, double amount) {
        options.resources.put(Options.name(name), Options.quantity("resource " + name, amount));
        return this;
    }

    /** Where the task runs: {@link SchedulingStrategy#DEFAULT}, {@code SPREAD} or a node affinity. */
    public TaskCaller<R> scheduling(SchedulingStrategy strategy) {
        options.scheduling = Objects.requireNonNull(strategy, "scheduling strategy");
        return this;
    }

    /**
     * Options of the worker JVM the task runs in (Ray Java's {@code setJvmOptions}), e.g.
     * {@code jvmOptions("-Xmx2g", "-Dmode=fast")}: they come after the job's
     * ({@code InitOptions.workerJvmOptions}), so a later {@code -Xmx} wins. The task runs on an
     * idle worker started with the same options, or on one started for it (idle ones are reaped as
     * the job's others are). A worker started with options is never shared with a task or actor that asked for other options, or for none.
     * Calling it again replaces the options.
     *
     * @throws IllegalArgumentException when an option is empty, is not one option starting with
     *                                  {@code -}, or is one Sonde sets itself ({@code -cp},
     *                                  {@code -classpath}, {@code -jar}, {@code -XX:ErrorFile})
     */
    public TaskCaller<R> jvmOptions(String... options) {
        List<String> checked = Options.jvmOptions(options);
        this.options.jvmOptions.clear();
        this.options.jvmOptions.addAll(checked);
        return this;
    }

    /**
     * Submits the task; returns at once with a ref to its future result.
     *
     * @throws IllegalArgumentException when options contradict each other:
     *                                  {@link #retryExceptions} with {@code maxRetries(0)}
     */
    public ObjectRef<R> remote() {
        return SondeRuntime.client().submitTask(function, args, Options.checkTask(options));
    }
}

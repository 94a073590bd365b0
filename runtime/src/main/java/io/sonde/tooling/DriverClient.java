package io.sonde.tooling;

import io.sonde.ObjectRef;
import io.sonde.internal.SondeRuntime;
import io.sonde.internal.client.CancelTexts;
import io.sonde.internal.client.ConsoleLogRelay;
import io.sonde.internal.client.CoreClient;
import io.sonde.internal.client.LogRelay;
import io.sonde.proto.CancelOutcome;
import io.sonde.proto.CancelledTask;
import io.sonde.proto.StaticValue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The client of this driver process (what {@code Sonde.init()} connected), as the shell and
 * {@code sonde run} extend it: where workers fetch classes that exist only here, the values a
 * task carries beyond its arguments, a listener of submissions, where relayed worker output goes.
 *
 * <p>A view of the client that was current when {@link #current()} ran; after
 * {@code Sonde.shutdown()} its hooks no longer matter. Thread-safe: every hook is a volatile
 * field of the client, read on each use.
 */
public final class DriverClient {
    private final CoreClient client;

    private DriverClient(CoreClient client) {
        this.client = client;
    }

    /** Whether {@code Sonde.init()} ran in this process (and no shutdown since). */
    public static boolean isInitialized() {
        return SondeRuntime.isInitialized();
    }

    /**
     * The client of this process.
     *
     * @throws io.sonde.SondeException if Sonde is not initialized; the message says how to do it
     */
    public static DriverClient current() {
        return new DriverClient(SondeRuntime.client());
    }

    /**
     * The loader of this driver's classes that workers cannot load from the classpath (snippets,
     * a program run from source): workers fetch their bytecode from it.
     */
    public void setClassSource(ClassLoader loader) {
        client.setClassSource(loader);
    }

    /**
     * Called with each task's function when it is submitted, on the submitting thread; returns
     * static fields to set in the worker before the function runs. May throw the exception of
     * {@link StaticValues#cannotSend} to refuse the submission.
     */
    public void setTaskCapture(Function<Object, List<StaticValue>> capture) {
        client.setTaskCapture(capture::apply);
    }

    /** Told of every task and actor call this driver submits, on the submitting thread; must not block. */
    public void setSubmissionListener(Consumer<ObjectRef<?>> listener) {
        client.setSubmissionListener(listener);
    }

    /** This client's {@link io.sonde.spi.ClientPlugin} of that class, if the plug-in is on the classpath. */
    public <T> Optional<T> plugin(Class<T> type) {
        return client.plugin(type);
    }

    /** Waits until the node has taken every message this driver sent before (one round trip). */
    public void sync() {
        client.sync();
    }

    /** The session directory of the node this driver joined (its workers' logs are in {@code logs/}). */
    public Path sessionDir() {
        return Path.of(client.info().getSessionDir());
    }

    /**
     * Prints relayed worker output from now on to these sinks, as the console does by default:
     * {@code (square pid=4711) hi}, deduplicated, on a printing thread of its own. The relay it
     * replaces prints what it still holds and stops.
     *
     * @param colour whether to colour the prefixes
     */
    public void relayLogsTo(Consumer<String> stdout, Consumer<String> stderr, boolean colour) {
        LogRelay previous = client.logRelay();
        client.setLogRelay(new ConsoleLogRelay(stdout, stderr, colour, client.info().getNodeIp()));
        if (previous != null) {
            previous.close();
        }
    }

    /**
     * Cancels the task behind the ref, as {@code Sonde.cancel} does, without printing anything:
     * the future tells what the cancel did once the node knows (see {@link CancelOutcome}), so a
     * tool can say it in its own words. A task that ignores interrupts is
     * {@link CancelledTask.Outcome#STILL_RUNNING} about a second later; a forced cancel kills it.
     */
    public CompletableFuture<CancelOutcome> cancel(ObjectRef<?> ref, boolean force, boolean recursive) {
        return client.cancel(ref, force, recursive);
    }

    /**
     * What to say of a task a cancel did not stop: that it still runs, why, and what ends it.
     *
     * @param force how this tool forces a cancel, e.g. "Ctrl-C again"
     */
    public static String stillRunning(CancelledTask t, String force) {
        return CancelTexts.stillRunning(t, force);
    }
}

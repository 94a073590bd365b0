package io.sonde.internal.node.worker;

import io.sonde.proto.TaskDone;

import io.sonde.internal.logs.ExitReport;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A worker as its {@link WorkerLauncher} started it: a process with log files. The node talks to
 * the worker itself over the worker's Attach stream once it says hello; the handle is for what
 * only the process can tell or do (its pid, its exit, a kill).
 *
 * <p>Implementations are thread-safe.
 */
public interface WorkerHandle {
    String workerId();

    long pid();

    /** Where the worker's stdout is written, line by line, with the task markers. */
    Path outLog();

    Path errLog();

    long startedAtMillis();

    /**
     * Completes with the exit code once the process has ended, however it ended (128 + n for a
     * process killed by signal n), on a thread of the launcher's: not under the node's lock.
     */
    CompletableFuture<Integer> exit();

    /** Waits until the process has ended; true if it did within the time. */
    boolean awaitExit(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * Waits (bounded) until everything the worker printed is in its log files and was relayed,
     * so that an error can point at complete logs.
     */
    void awaitOutput();

    /** Kills the process at once (SIGKILL); its exit follows on {@link #exit()}. */
    void kill();

    /**
     * What the worker said about why it exits ({@link ExitReport}), once {@link #awaitOutput()}
     * returned after its exit; empty when it said nothing (killed, halted, crashed).
     */
    default Optional<ExitReport> exitReport() {
        return Optional.empty();
    }

    /** Where the worker's JVM writes its fatal error log (hs_err) if it crashes, or empty when unknown. */
    default Optional<Path> crashLog() {
        return Optional.empty();
    }

    /**
     * The results the worker kept in its journal before it sent them, oldest first, once its
     * process has exited (the node takes from them the ones it never received); the journal is
     * removed. Empty when the worker kept none.
     */
    default List<TaskDone> journaledResults() {
        return List.of();
    }
}

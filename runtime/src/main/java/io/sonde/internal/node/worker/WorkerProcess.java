package io.sonde.internal.node.worker;

import io.sonde.internal.logs.ExitReport;
import io.sonde.internal.worker.ResultJournal;
import io.sonde.proto.TaskDone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A worker JVM started by {@link ProcessWorkerLauncher}, with its log files and the two threads
 * that pump its stdout and stderr. Thread-safe: everything is final or the process's own.
 */
final class WorkerProcess implements WorkerHandle {
    private static final long PUMP_JOIN_MILLIS = 2000;

    private final String workerId;
    private final Process process;
    private final long pid;
    private final Path outLog;
    private final Path errLog;
    private final Path crashLog;
    private final Path journal;
    private final long startedAtMillis = System.currentTimeMillis();
    private final LogPump outPump;
    private final LogPump errPump;
    private final CompletableFuture<Integer> exit;

    WorkerProcess(String workerId, Process process, Path outLog, Path errLog, Path crashLog, Path journal,
                  WorkerOutput output) {
        this.workerId = workerId;
        this.process = process;
        this.pid = process.pid();
        this.outLog = outLog;
        this.errLog = errLog;
        this.crashLog = crashLog;
        this.journal = journal;
        this.outPump = new LogPump(this, false, process.getInputStream(), outLog, output);
        this.errPump = new LogPump(this, true, process.getErrorStream(), errLog, output);
        outPump.start();
        errPump.start();
        this.exit = process.onExit().thenApply(Process::exitValue);
    }

    @Override
    public String workerId() {
        return workerId;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public Path outLog() {
        return outLog;
    }

    @Override
    public Path errLog() {
        return errLog;
    }

    @Override
    public long startedAtMillis() {
        return startedAtMillis;
    }

    @Override
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    @Override
    public boolean awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
        return process.waitFor(timeout, unit);
    }

    @Override
    public void awaitOutput() {
        joinQuietly(outPump);
        joinQuietly(errPump);
    }

    @Override
    public Optional<ExitReport> exitReport() {
        return ExitReport.parse(errPump.exitLines());
    }

    @Override
    public Optional<Path> crashLog() {
        return Optional.of(crashLog);
    }

    @Override
    public List<TaskDone> journaledResults() {
        List<TaskDone> results = new ArrayList<>();
        try {
            for (byte[] entry : ResultJournal.read(journal)) {
                results.add(TaskDone.parseFrom(entry));
            }
        } catch (IOException e) {
            // what could be read is kept; the rest is as if the worker never sent it
            System.err.println("sonde node: cannot read the result journal " + journal + " of worker " + workerId
                    + " (" + e + "); results it did not deliver before it exited are lost");
        }
        try {
            Files.deleteIfExists(journal);
        } catch (IOException e) {
            // a leftover file in the session directory, removed with it
        }
        return results;
    }

    @Override
    public void kill() {
        process.destroyForcibly();
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(PUMP_JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.sonde.internal.node.worker;

import io.sonde.internal.logs.ExitReport;

import java.nio.file.Path;
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
    private final long startedAtMillis = System.currentTimeMillis();
    private final LogPump outPump;
    private final LogPump errPump;
    private final CompletableFuture<Integer> exit;

    WorkerProcess(String workerId, Process process, Path outLog, Path errLog, Path crashLog, WorkerOutput output) {
        this.workerId = workerId;
        this.process = process;
        this.pid = process.pid();
        this.outLog = outLog;
        this.errLog = errLog;
        this.crashLog = crashLog;
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

package io.sonde.internal.node;

import io.grpc.stub.StreamObserver;
import io.sonde.internal.proto.WorkerCommand;

import java.nio.file.Path;

/**
 * A worker JVM started by this node manager, with its log files and command stream.
 * Fields other than the final ones are guarded by the node manager's lock.
 *
 * <p>Lifecycle: STARTING (process launched) → IDLE/BUSY (after its hello arrives on the attach
 * stream) → DEAD (process exited; {@link NodeManager#onWorkerExit} decides what its task becomes).
 */
final class WorkerProcess {
    final String workerId;
    final Job job;
    final ActorRecord actor;
    final Process process;
    final long pid;
    final Path outLog;
    final Path errLog;
    final long startedAtMillis = System.currentTimeMillis();
    private StreamObserver<WorkerCommand> commands;
    boolean registered;
    boolean dead;
    TaskRecord current;
    long idleSinceNanos;
    final LogPump outPump;
    final LogPump errPump;

    WorkerProcess(String workerId, Job job, ActorRecord actor, Process process, Path outLog, Path errLog,
                  LogPump.Forwarder forwarder) {
        this.workerId = workerId;
        this.job = job;
        this.actor = actor;
        this.process = process;
        this.pid = process.pid();
        this.outLog = outLog;
        this.errLog = errLog;
        this.outPump = new LogPump(this, false, process.getInputStream(), outLog, forwarder);
        this.errPump = new LogPump(this, true, process.getErrorStream(), errLog, forwarder);
        outPump.start();
        errPump.start();
    }

    void attach(StreamObserver<WorkerCommand> commands) {
        this.commands = commands;
    }

    /** Sends a command; a worker whose stream broke is about to be reaped, so failures are ignored. */
    synchronized void send(WorkerCommand command) {
        if (commands == null) {
            return;
        }
        try {
            commands.onNext(command);
        } catch (RuntimeException ignored) {
            // the process exit handler reports what happened to this worker
        }
    }

    synchronized void closeCommands() {
        if (commands != null) {
            try {
                commands.onCompleted();
            } catch (RuntimeException ignored) {
                // already closed
            }
        }
    }

    void kill() {
        process.destroyForcibly();
    }

    String state() {
        if (dead) {
            return "DEAD";
        }
        if (!registered) {
            return "STARTING";
        }
        return current != null || actor != null ? "BUSY" : "IDLE";
    }
}

package io.sonde.internal.node;

import io.sonde.OutOfMemoryException;
import io.sonde.SondeException;
import io.sonde.WorkerCrashedException;
import io.sonde.internal.logs.ExitReport;
import io.sonde.internal.node.sched.ResourceSet;
import io.sonde.internal.node.memory.MemorySettings;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.worker.ExitDetail;
import io.sonde.internal.node.worker.Worker;
import io.sonde.internal.node.worker.WorkerExit;
import io.sonde.internal.node.worker.WorkerPool;
import io.sonde.proto.ObjectValue;
import io.sonde.internal.serialization.Serializer;

import java.nio.file.Path;

/**
 * The failures the node gives tasks, worded as the user reads them: what happened, where (task,
 * pid, node), the likely causes and the next step. Those of actor calls are in the actor package
 * ({@code ActorFailures}), the cancelled task's in {@code Cancellation}.
 */
final class Failures {
    private Failures() {
    }

    /** No node can ever run the task: it fails now instead of letting its get wait forever. */
    static String infeasible(TaskRecord t, String nodeId, ResourceSet total) {
        return t.describe() + " cannot be scheduled: it needs {" + ResourceSet.describe(t.spec())
                + "} but no node of this cluster has that much (node " + nodeId + " has {" + total.describe()
                + "}). Ask for less with numCpus/memory/resource, or start the cluster with more"
                + " (InitOptions.numCpus/resource, or `sonde start --head --num-cpus N`).";
    }

    /** The task's scheduling strategy can never be met (a hard node affinity): it fails now. */
    static String unschedulable(TaskRecord t, String why) {
        return t.describe() + " cannot be scheduled: " + why + ".";
    }

    static ObjectValue workerCrashed(TaskRecord t, Worker w, String nodeIp, WorkerExit exit) {
        int retries = t.spec().getMaxRetries();
        String retryNote = retries == 0 ? " The task has maxRetries=0, so it was not retried."
                : " It was retried " + retries + " time" + (retries == 1 ? "" : "s") + " (maxRetries=" + retries
                + "); raise maxRetries to retry it more.";
        return Serializer.error(new WorkerCrashedException(t.describe() + " failed: its worker process (pid=" + w.pid()
                + ", node=" + nodeIp + ") " + howItEnded(exit, w.pid(), " while running it", t.id()) + retryNote
                + " The worker's log: " + w.handle().errLog() + " and " + w.handle().outLog() + "."));
    }

    /**
     * The memory monitor killed the task's worker and no oomRetries are left: Ray's message, with
     * the monitor's report (the node, the task's memory, the node's use against the threshold, why
     * this worker, the top processes, what to do).
     */
    static ObjectValue killedForMemory(TaskRecord t, String report, Worker w) {
        int limit = t.spec().getOomRetries();
        String retried = limit == 0 ? "it has oomRetries=0, so it was not retried."
                : "it was killed " + t.oomKills() + " times and retried " + (t.oomKills() - 1) + " (oomRetries="
                + limit + "); raise oomRetries to retry it more.";
        return Serializer.error(new OutOfMemoryException("Task was killed due to the node running low on memory.\n"
                + report + "\n" + t.describe() + ": " + retried + " The worker's log: " + w.handle().errLog() + "."));
    }

    /**
     * The worker's connection broke right after it sent the task's result, which the node never
     * got: receiving it most likely ran the node's JVM out of heap. Not retried: it would again.
     */
    static ObjectValue resultTooLargeForNode(TaskRecord t, Worker w, String nodeIp, long resultBytes, String status) {
        Runtime rt = Runtime.getRuntime();
        return Serializer.error(new OutOfMemoryException(t.describe() + " ran, but its result of " + mib(resultBytes)
                + " never arrived: the node manager's JVM (pid=" + ProcessHandle.current().pid() + ", node=" + nodeIp
                + "; the driver's own JVM when Sonde.init() started the cluster) dropped the connection of worker pid="
                + w.pid() + " while receiving it (" + status + "). Most likely that JVM ran out of memory receiving it:"
                + " its heap is at most " + mib(rt.maxMemory()) + " and " + mib(rt.totalMemory() - rt.freeMemory())
                + " of it is in use now. The task was not retried, as the same result would fail the same way. Give"
                + " the driver (or `sonde start --head`) a larger heap with -Xmx, or return less: write large data to"
                + " a file and return its path, or split the result over several tasks."));
    }

    /**
     * How the worker's process ended and what to do about it, as the rest of a sentence that
     * began with "its worker process (pid=..., node=...)". {@code during} says what it was doing,
     * with a leading space, or is ""; {@code taskId} is the failing task's, which the text names
     * already, or "".
     */
    static String howItEnded(WorkerExit exit, long pid, String during, String taskId) {
        String code = ExitDetail.describe(exit.exitCode());
        String plain = "exit code " + exit.exitCode(); // where the text names the signal already
        return switch (exit.cause()) {
            case EXIT_CALL -> exitCall(exit, during, taskId);
            case CRASHED -> exit.crashLog()
                    .map(log -> "crashed" + during + " with " + code + ": its JVM hit a fatal error and wrote its"
                            + " crash report to " + log + ". The report's 'Problematic frame' says where: native code"
                            + " (a JNI library the task uses) or a bug of the JVM.")
                    .orElseGet(() -> "was ended by " + ExitDetail.signal(exit.signal()) + during + " (" + plain
                            + ") and its JVM wrote no crash report: the signal came from outside (`kill -"
                            + exit.signal() + " " + pid + "`), or native code crashed the process before the JVM"
                            + " could write one. The end of its stderr: " + exit.errTail() + ".");
            case CONNECTION_LOST -> "exited" + during + " (" + plain + ") because its connection to the node manager"
                    + " broke (" + exit.report().orElseThrow().status() + "): a worker exits when it loses its node."
                    + " The node manager closed it or the connection failed; the node manager's log may say why.";
            case KILLED -> "was killed by signal 9 (SIGKILL)" + during + " (" + plain + "), and not by Sonde's memory"
                    + " monitor. Worker exit type: UNEXPECTED_SYSTEM_EXIT Worker exit detail: the process ended on"
                    + " SIGKILL without a word. There are some potential root causes: (1) the process was killed by"
                    + " SIGKILL by the OOM killer due to high memory usage, because the machine (or the worker's cgroup)"
                    + " ran short of memory"
                    + exit.kernelOom().map(line -> "; the kernel log says so: \"" + line + "\"")
                            .orElse(": `dmesg` or `journalctl -k` then shows 'Out of memory: Killed process " + pid + "'")
                    + "; (2) `sonde stop --force` was called; (3) the worker crashed unexpectedly due to SIGSEGV or"
                    + " other unexpected errors (its JVM wrote no crash report), or someone ran `kill -9 " + pid + "`."
                    + " Sonde's memory monitor kills workers before the kernel does, with a clear message: if the"
                    + " kernel was first, the memory went fast or the monitor is off (" + MemorySettings.REFRESH_ENV
                    + "=0). Give the task less data, declare .memory(bytes) so that fewer such tasks run at once, or"
                    + " start the node with fewer CPUs.";
            case SIGNALLED -> "was ended by " + ExitDetail.signal(exit.signal() == 0 ? 15 : exit.signal())
                    + during + " (" + plain + "), sent from outside Sonde: `kill " + pid + "`, or the machine shutting"
                    + " down.";
            case HALTED -> exit.exitCode() == 0
                    ? "exited with code 0" + during + ", without being asked to and without running its shutdown"
                    + " hooks (a System.exit would have been reported with its caller): the task's code (or a library"
                    + " it uses) called Runtime.halt(0), or native code called exit(0). The end of its stderr: "
                    + exit.errTail() + "."
                    : "exited with " + code + during + " without running its shutdown hooks, so it was not"
                    + " System.exit (that would have been reported with its caller): the task's code (or a library"
                    + " it uses) called Runtime.halt(" + exit.exitCode() + "), or native code called exit("
                    + exit.exitCode() + ")" + (exit.exitCode() == 3 ? "; a JVM started with"
                    + " -XX:+ExitOnOutOfMemoryError also exits with code 3" : "") + ". The end of its stderr: "
                    + exit.errTail() + ".";
        };
    }

    private static String exitCall(WorkerExit exit, String during, String taskId) {
        ExitReport r = exit.report().orElseThrow();
        StringBuilder b = new StringBuilder("exited with code ").append(exit.exitCode()).append(during)
                .append(" because code in it called System.exit(").append(exit.exitCode()).append(')');
        if (!r.thread().isEmpty()) {
            b.append(" on thread \"").append(r.thread()).append('"');
        }
        if (!r.task().isEmpty() && !r.task().contains("task_id=" + taskId + ",")) {
            b.append(" while ").append(r.task()).append(" ran");
        }
        if (!r.frames().isEmpty()) {
            b.append(", at ").append(r.frames().get(0));
            r.frames().stream().skip(1).limit(5).forEach(f -> b.append("\n\tcalled from ").append(f));
            b.append('\n');
        } else {
            b.append(". ");
        }
        return b.append("A task must not end its worker's JVM: throw an exception to fail the task, or return.")
                .toString();
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** Why a worker that did not say hello ended, with the end of its stderr (read off the node's lock). */
    static String startFailure(int exitCode, Path errLog, String errTail) {
        return "The last one ended with " + ExitDetail.describe(exitCode) + "; its stderr: " + errTail + " (" + errLog + ").";
    }

    static ObjectValue workersDoNotStart(TaskRecord t, io.sonde.internal.node.task.WorkerKind kind,
                                         String lastStartFailure) {
        String which = kind.plain() ? "" : " started with the task's jvmOptions " + kind.jvmOptions();
        return Serializer.error(new WorkerCrashedException(t.describe() + " cannot run: the last "
                + WorkerPool.START_FAILURES_BEFORE_GIVING_UP + " worker processes of job " + kind.jobId() + which
                + " exited before they started. " + lastStartFailure
                + (kind.plain() ? " Check the worker JVM options and the driver's classpath."
                : " Check the task's jvmOptions.")));
    }

    static ObjectValue infeasibleTask(String message) {
        return Serializer.error(new SondeException(message));
    }

    /** Why an actor died with its worker, as its calls' failures say it. */
    static String actorWorkerDied(Worker w, String nodeIp, WorkerExit exit) {
        if (w.memoryKill() != null) {
            return "its worker process (pid=" + w.pid() + ", node=" + nodeIp + ") was killed by the node's memory"
                    + " monitor due to the node running low on memory.\n" + w.memoryKill() + "\nThe worker's log: "
                    + w.handle().errLog();
        }
        if (!w.registered()) {
            return "its worker process (pid=" + w.pid() + ", node=" + nodeIp + ") exited before it started, with "
                    + exit.brief() + "; its stderr: " + exit.errTail() + " (" + w.handle().errLog() + "). Check the"
                    + " worker JVM options and the driver's classpath.";
        }
        return "its worker process (pid=" + w.pid() + ", node=" + nodeIp + ") "
                + howItEnded(exit, w.pid(), "", "") + " The worker's log: " + w.handle().errLog();
    }
}

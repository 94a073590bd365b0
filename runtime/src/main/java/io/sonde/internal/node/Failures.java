package io.sonde.internal.node;

import io.sonde.SondeException;
import io.sonde.WorkerCrashedException;
import io.sonde.internal.node.sched.ResourceSet;
import io.sonde.internal.node.task.TaskRecord;
import io.sonde.internal.node.worker.ExitDetail;
import io.sonde.internal.node.worker.Worker;
import io.sonde.internal.node.worker.WorkerPool;
import io.sonde.proto.ObjectValue;
import io.sonde.internal.serialization.Serializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    static ObjectValue workerCrashed(TaskRecord t, Worker w, String nodeIp, int exitCode) {
        int retries = t.spec().getMaxRetries();
        String retryNote = retries == 0 ? " The task has maxRetries=0, so it was not retried."
                : " It was retried " + retries + " time" + (retries == 1 ? "" : "s") + " (maxRetries=" + retries
                + "); raise maxRetries to retry it more.";
        return Serializer.error(new WorkerCrashedException(t.describe() + " failed: its worker process (pid=" + w.pid()
                + ", node=" + nodeIp + ") died with " + ExitDetail.describe(exitCode) + " while running it. "
                + ExitDetail.likelyCauses() + retryNote + " The worker's log: " + w.handle().errLog() + " and "
                + w.handle().outLog() + "."));
    }

    /** Why a worker that did not say hello ended, with the end of its stderr (read off the node's lock). */
    static String startFailure(int exitCode, Path errLog, String errTail) {
        return "The last one ended with " + ExitDetail.describe(exitCode) + "; its stderr: " + errTail + " (" + errLog + ").";
    }

    static ObjectValue workersDoNotStart(TaskRecord t, String jobId, String lastStartFailure) {
        return Serializer.error(new WorkerCrashedException(t.describe() + " cannot run: the last "
                + WorkerPool.START_FAILURES_BEFORE_GIVING_UP + " worker processes of job " + jobId
                + " exited before they started. " + lastStartFailure
                + " Check the worker JVM options and the driver's classpath."));
    }

    static ObjectValue infeasibleTask(String message) {
        return Serializer.error(new SondeException(message));
    }

    /** Why an actor died with its worker, as its calls' failures say it. */
    static String actorWorkerDied(Worker w, String nodeIp, int exitCode) {
        return "its worker process (pid=" + w.pid() + ", node=" + nodeIp + ") died with "
                + ExitDetail.describe(exitCode) + ". " + ExitDetail.likelyCauses() + " The worker's log: "
                + w.handle().errLog();
    }

    /** The last lines of a log file, joined, for an error message. Reads the file: not under the node's lock. */
    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            String joined = String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
            return joined.isEmpty() ? "(empty)" : joined;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}

package io.sonde.internal.node;

import io.sonde.internal.proto.TaskSpec;

import java.util.HashSet;
import java.util.Set;

/** The node manager's view of one task (or actor call/creation). Guarded by the node manager's lock. */
final class TaskRecord {
    final TaskSpec spec;
    final ClientSession owner;
    final Set<String> pendingArgs = new HashSet<>();
    /** Argument objects this task keeps alive until it is done (see ObjectEntry#taskRefs). */
    final Set<String> heldArgs = new HashSet<>(2);
    TaskState state = TaskState.PENDING_ARGS_AVAIL;
    int attempt;
    WorkerProcess worker;
    boolean cancelled;
    /** The task's CPUs were lent back while it waits in get, so nested tasks can run. */
    boolean cpusLent;
    String errorType = "";
    long lastPid;

    TaskRecord(TaskSpec spec, ClientSession owner) {
        this.spec = spec;
        this.owner = owner;
    }

    String id() {
        return spec.getTaskId();
    }

    double cpus() {
        return spec.getNumCpus();
    }

    /** Whether one more attempt is allowed after a failure (maxRetries -1 means forever). */
    boolean canRetry(int maxRetries) {
        return !cancelled && (maxRetries < 0 || attempt < maxRetries);
    }
}

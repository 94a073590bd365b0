package io.sonde.internal.node.task;

import io.sonde.proto.TaskSpec;

import java.util.List;

/**
 * Which workers may run a task: those of its job started with the JVM options it asked for
 * ({@code jvmOptions}, none by default). Workers of different kinds are never shared.
 *
 * @param jobId      the job the workers serve
 * @param jvmOptions the task's own JVM options, after the job's; empty for the job's plain workers
 */
public record WorkerKind(String jobId, List<String> jvmOptions) {
    public WorkerKind {
        jvmOptions = List.copyOf(jvmOptions);
    }

    /** The kind of worker the task or actor creation asks for. */
    public static WorkerKind of(TaskSpec spec) {
        return new WorkerKind(spec.getJobId(), spec.getJvmOptionsList());
    }

    /** The job's plain workers, with the job's options only. */
    public static WorkerKind plain(String jobId) {
        return new WorkerKind(jobId, List.of());
    }

    public boolean plain() {
        return jvmOptions.isEmpty();
    }
}

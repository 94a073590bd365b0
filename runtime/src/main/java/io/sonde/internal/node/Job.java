package io.sonde.internal.node;

import java.util.ArrayDeque;
import java.util.List;

/** A driver's job: where its workers load code from, and its idle workers. Guarded by the node manager's lock. */
final class Job {
    final String jobId;
    final ClientSession driver;
    final List<String> classpath;
    final List<String> jvmOptions;
    final String workingDir;
    final boolean logToDriver;
    final ArrayDeque<WorkerProcess> idle = new ArrayDeque<>();
    int starting;
    int consecutiveStartFailures;
    String lastStartFailure = "";

    Job(String jobId, ClientSession driver, List<String> classpath, List<String> jvmOptions, String workingDir,
        boolean logToDriver) {
        this.jobId = jobId;
        this.driver = driver;
        this.classpath = classpath;
        this.jvmOptions = jvmOptions;
        this.workingDir = workingDir;
        this.logToDriver = logToDriver;
    }
}

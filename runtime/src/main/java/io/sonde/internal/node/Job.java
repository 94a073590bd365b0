package io.sonde.internal.node;

import java.util.List;

/** A driver's job: where its workers load code from, and where its output and results go. */
record Job(String jobId, ClientSession driver, List<String> classpath, List<String> jvmOptions, String workingDir,
           boolean logToDriver) {
}

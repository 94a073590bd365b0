package io.sonde.internal.node;

import java.util.List;

/**
 * A driver's job: where its workers load code from, where its output and results go, and the
 * namespace its actors are named in.
 */
record Job(String jobId, ClientSession driver, List<String> classpath, List<String> jvmOptions, String workingDir,
           boolean logToDriver, String namespace) {
}

package io.sonde.internal.node;

import java.util.List;

/**
 * A driver's job: where its workers load code from, and where its output and results go.
 *
 * @param postMortem tasks that throw stay frozen at the throw site for the debugger
 */
record Job(String jobId, ClientSession driver, List<String> classpath, List<String> jvmOptions, String workingDir,
           boolean logToDriver, boolean postMortem) {
}

package io.sonde.internal.node.worker;

import java.util.List;

/**
 * What a worker of a job is started with.
 *
 * @param workerId   the id the worker says hello with
 * @param jobId      the job it serves
 * @param classpath  where it loads the job's code from (the driver's classpath)
 * @param jvmOptions the job's extra JVM options, then those of the task or actor it is started for
 * @param workingDir the driver's working directory, or empty
 * @param pluginJvmOptions what the node's plug-ins add to the command (the debugger's agent, for one)
 */
public record LaunchRequest(String workerId, String jobId, List<String> classpath, List<String> jvmOptions,
                            String workingDir, List<String> pluginJvmOptions) {
    public LaunchRequest {
        classpath = List.copyOf(classpath);
        jvmOptions = List.copyOf(jvmOptions);
        pluginJvmOptions = List.copyOf(pluginJvmOptions);
    }
}

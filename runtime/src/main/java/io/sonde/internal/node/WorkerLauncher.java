package io.sonde.internal.node;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Starts worker JVMs: {@code java <options> -cp <the job's classpath> io.sonde.internal.worker.WorkerMain ...}.
 *
 * <p>Workers load the job's code from the driver's classpath, so a program compiled to a
 * directory or a jar runs as-is. The JVM options favour a fast start (class data sharing, no
 * perf-data file) without giving up peak speed: user code runs with the full JIT.
 */
public final class WorkerLauncher {
    private static final List<String> DEFAULT_OPTIONS = List.of(
            "-Xshare:auto", "-XX:-UsePerfData", "-Xss4m",
            "-Dsun.io.serialization.extendedDebugInfo=true");

    private final String javaBin;
    private final NodeConfig config;
    private volatile String nodeAddress;
    private volatile Supplier<List<String>> pluginOptions = List::of;

    public WorkerLauncher(NodeConfig config) {
        this.config = config;
        this.javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The node manager's gRPC address, known once its server is bound. */
    public void nodeAddress(String address) {
        this.nodeAddress = address;
    }

    /** The JVM options the node's plug-ins add to each worker; asked at each launch. */
    public void pluginOptions(Supplier<List<String>> options) {
        this.pluginOptions = options;
    }

    WorkerProcess launch(String workerId, Job job, ActorRecord actor, LogPump.Forwarder forwarder) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.addAll(DEFAULT_OPTIONS);
        String extra = System.getenv("SONDE_WORKER_JVM_OPTIONS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(pluginOptions.get());
        cmd.addAll(job.jvmOptions);
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, job.classpath));
        cmd.add("io.sonde.internal.worker.WorkerMain");
        cmd.add(nodeAddress);
        cmd.add(workerId);
        cmd.add(job.jobId);
        cmd.add(config.nodeId());
        cmd.add(config.ip());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (!job.workingDir.isEmpty() && Files.isDirectory(Path.of(job.workingDir))) {
            pb.directory(new File(job.workingDir));
        }
        Process p = pb.start();
        Path logs = config.logDir();
        Path out = logs.resolve("worker-" + workerId + "-" + p.pid() + ".out");
        Path err = logs.resolve("worker-" + workerId + "-" + p.pid() + ".err");
        return new WorkerProcess(workerId, job, actor, p, out, err, forwarder);
    }
}

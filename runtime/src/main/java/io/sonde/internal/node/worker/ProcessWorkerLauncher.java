package io.sonde.internal.node.worker;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts worker JVMs: {@code java <options> -cp <the job's classpath> io.sonde.internal.worker.WorkerMain ...}.
 *
 * <p>Workers load the job's code from the driver's classpath, so a program compiled to a
 * directory or a jar runs as-is. The JVM options favour a fast start (class data sharing, no
 * perf-data file) without giving up peak speed: user code runs with the full JIT.
 */
public final class ProcessWorkerLauncher implements WorkerLauncher {
    private static final List<String> DEFAULT_OPTIONS = defaultOptions(System.getProperty("java.vm.name", ""));

    /**
     * The options every worker gets. On HotSpot the class data sharing archives are mapped at
     * the address they were built for ({@code ArchiveRelocationMode=0}, upstream JDK 17's default,
     * which some distributions change to 1): a relocated archive has its pointers patched on
     * every start, which turns ~10 MB of it into memory of the worker's own and costs start time;
     * mapped in place it stays clean and shared with the other JVMs.
     */
    static List<String> defaultOptions(String vmName) {
        List<String> options = new ArrayList<>(List.of("-Xshare:auto", "-XX:-UsePerfData", "-Xss4m",
                "-Dsun.io.serialization.extendedDebugInfo=true"));
        if (vmName.contains("HotSpot") || vmName.contains("OpenJDK")) {
            options.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0"));
        }
        return List.copyOf(options);
    }

    /** How the fatal error log of a worker's JVM ends: {@code worker-ID-PID.hs_err.log}. */
    static final String CRASH_LOG_SUFFIX = ".hs_err.log";

    private final String javaBin;
    private final long heapCeiling;
    private final String nodeId;
    private final String nodeIp;
    private final Path logDir;
    private final Map<String, String> environment;
    private final WorkerClassArchive classArchive;
    private volatile String nodeAddress;

    /**
     * @param nodeId the node's id, for the workers' errors
     * @param nodeIp the node's address other nodes see
     * @param logDir where the workers' log files go
     * @param environment what workers get in their environment besides the node's (the cluster's
     *                    auth token: unlike the command line, only the same user can read it)
     * @param heapCeiling each worker's {@code -Xmx} in bytes, unless its job sets one (0: the JVM's default)
     * @param classArchive the workers' class data archive ({@link WorkerClassArchive#off()}: none)
     */
    public ProcessWorkerLauncher(String nodeId, String nodeIp, Path logDir, Map<String, String> environment,
                                 long heapCeiling, WorkerClassArchive classArchive) {
        this.classArchive = classArchive;
        this.heapCeiling = heapCeiling;
        this.nodeId = nodeId;
        this.nodeIp = nodeIp;
        this.logDir = logDir;
        this.environment = Map.copyOf(environment);
        this.javaBin = javaBin();
    }

    /** The {@code java} command workers run: this JVM's. */
    public static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The node manager's gRPC address, known once its server is bound. */
    public void nodeAddress(String address) {
        this.nodeAddress = address;
    }

    @Override
    public WorkerHandle launch(LaunchRequest request, WorkerOutput output) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.addAll(DEFAULT_OPTIONS);
        int archiveOptionsAt = cmd.size(); // before the job's options: a job's own archive or -Xshare wins
        // A JVM that crashes writes its fatal error log beside the worker's logs, where the node
        // looks for it to name it in the failure (by default it goes to the working directory).
        cmd.add("-XX:ErrorFile=" + logDir.toAbsolutePath().toString().replace("%", "%%")
                + java.io.File.separator + "worker-" + request.workerId() + "-%p" + CRASH_LOG_SUFFIX);
        if (heapCeiling > 0) {
            // before the options below: the JVM takes the last -Xmx, so a job's own wins
            cmd.add("-Xmx" + Math.max(1, heapCeiling >> 20) + "m");
        }
        String extra = System.getenv("SONDE_WORKER_JVM_OPTIONS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(request.pluginJvmOptions());
        cmd.addAll(request.jvmOptions());
        String maxHeap = "";
        for (String option : cmd) {
            if (option.startsWith("-Xmx")) {
                maxHeap = option; // the JVM takes the last
            }
        }
        Path cwd = !request.workingDir().isEmpty() && Files.isDirectory(Path.of(request.workingDir()))
                ? Path.of(request.workingDir()) : Path.of("");
        WorkerClassArchive.Launch archive = classArchive.prepare(request.classpath(), maxHeap, cwd.toAbsolutePath());
        cmd.addAll(archiveOptionsAt, archive.options());
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, archive.classpath()));
        cmd.add("io.sonde.internal.worker.WorkerMain");
        cmd.add(nodeAddress);
        cmd.add(request.workerId());
        cmd.add(request.jobId());
        cmd.add(nodeId);
        cmd.add(nodeIp);
        Path journal = logDir.toAbsolutePath().resolve("worker-" + request.workerId() + ".results");
        cmd.add(journal.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(environment);
        if (!request.workingDir().isEmpty() && Files.isDirectory(Path.of(request.workingDir()))) {
            pb.directory(new File(request.workingDir()));
        }
        Process p = pb.start();
        Path out = logDir.resolve("worker-" + request.workerId() + "-" + p.pid() + ".out");
        Path err = logDir.resolve("worker-" + request.workerId() + "-" + p.pid() + ".err");
        Path crash = logDir.toAbsolutePath().resolve("worker-" + request.workerId() + "-" + p.pid() + CRASH_LOG_SUFFIX);
        return new WorkerProcess(request.workerId(), p, out, err, crash, journal, output);
    }
}

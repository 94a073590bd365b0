package io.sonde.cli.table;

import io.sonde.proto.ActorInfo;
import io.sonde.proto.ClusterStatus;
import io.sonde.proto.MemoryReport;
import io.sonde.proto.MemorySample;
import io.sonde.proto.ProcessMemoryInfo;
import io.sonde.proto.NodeInfo;
import io.sonde.proto.TaskInfo;
import io.sonde.proto.WorkerInfo;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * How the cluster's tasks, actors, workers, nodes and status are shown to people: shared by
 * {@code sonde list}, {@code sonde status} and the shell's {@code /tasks}, {@code /status}...,
 * so the two never drift apart. Ids are printed whole because they are what errors, logs and
 * {@code sonde debug} refer to.
 */
public final class ClusterTables {
    private ClusterTables() {
    }

    public static Table tasks(List<TaskInfo> tasks) {
        Table t = new Table("TASK_ID", "NAME", "STATE", "KIND", "PID", "NODE", "ATTEMPT", "ERROR_TYPE", "JOB",
                "ERROR_MESSAGE");
        for (TaskInfo i : tasks) {
            t.row(i.getTaskId(), i.getName(), i.getState().name(), i.getKind().name(), Units.pid(i.getPid()), i.getNodeId(),
                    i.getAttempt(), i.getErrorType(), i.getJobId(), i.getErrorMessage());
        }
        return t;
    }

    public static Table actors(List<ActorInfo> actors) {
        Table t = new Table("ACTOR_ID", "CLASS", "NAME", "NAMESPACE", "LIFETIME", "STATE", "PID", "NODE", "RESTARTS",
                "JOB", "DEATH_CAUSE");
        for (ActorInfo i : actors) {
            t.row(i.getActorId(), i.getClassName(), i.getName(), i.getNamespace(),
                    i.getDetached() ? "DETACHED" : "NON_DETACHED", i.getState().name(), Units.pid(i.getPid()),
                    i.getNodeId(), i.getRestarts(), i.getJobId(), i.getDeathCause());
        }
        return t;
    }

    public static Table workers(List<WorkerInfo> workers) {
        Table t = new Table("WORKER_ID", "PID", "STATE", "JOB", "CURRENT_TASK", "ACTOR", "RSS", "LOG");
        for (WorkerInfo i : workers) {
            t.row(i.getWorkerId(), Units.pid(i.getPid()), i.getState().name(), i.getJobId(), i.getCurrentTask(), i.getActorId(),
                    Units.bytes(i.getRssBytes()), i.getLogOut());
        }
        return t;
    }

    public static Table nodes(ClusterStatus status) {
        Table t = new Table("NODE_ID", "IP", "ALIVE", "CPUS", "MEMORY", "WORKERS");
        for (NodeInfo n : status.getNodesList()) {
            t.row(n.getNodeId(), n.getIp(), n.getAlive() ? "yes" : "no",
                    Units.cpus(n.getCpusUsed()) + "/" + Units.cpus(n.getCpusTotal()),
                    Units.bytes(n.getMemoryUsed()) + "/" + Units.bytes(n.getMemoryTotal()), n.getWorkers());
        }
        return t;
    }

    /**
     * A node's memory, as {@code sonde status --memory} and {@code sonde top} show it: its use
     * against its capacity and the kill threshold, how it is measured, the kills so far, the peak of
     * the samples given (the last hour's, for status), and its processes, largest RES − SHR first.
     */
    public static void printMemory(PrintWriter out, MemoryReport r) {
        out.println("Memory of node " + r.getNodeId() + " (" + r.getNodeIp() + ")");
        if (!r.getMonitorOn() || r.getSamplesCount() == 0) {
            out.println(r.getMonitorOn() ? "  The memory monitor has taken no sample yet; try again in a moment."
                    : "  The memory monitor is off on this node (SONDE_MEMORY_MONITOR_REFRESH_MS=0 when it started): it"
                    + " keeps no samples, and nothing kills workers before the kernel's OOM killer does. `sonde status`"
                    + " shows the node's resident memory.");
            return;
        }
        MemorySample now = r.getSamples(r.getSamplesCount() - 1);
        out.println("  In use     " + Units.bytes(now.getUsedBytes()) + "/" + Units.bytes(now.getTotalBytes())
                + String.format(Locale.ROOT, " (%.2f)", fraction(now)) + "; the monitor kills a worker above "
                + r.getThreshold());
        out.println("  Measured   by " + r.getSource() + ", every " + r.getRefreshMs() + " ms");
        out.println("  Killed     " + r.getOomKills() + " worker" + (r.getOomKills() == 1 ? "" : "s")
                + " for memory since the node started");
        if (r.getSamplesCount() > 1) {
            MemorySample peak = r.getSamplesList().stream().max(java.util.Comparator.comparingLong(MemorySample::getUsedBytes))
                    .orElseThrow();
            long span = (now.getAtMs() - r.getSamples(0).getAtMs()) / 1000;
            out.println("  Peak       " + Units.bytes(peak.getUsedBytes()) + String.format(Locale.ROOT, " (%.2f)", fraction(peak))
                    + " at " + TIME.format(Instant.ofEpochMilli(peak.getAtMs())) + ", over the last "
                    + (span >= 120 ? span / 60 + " min" : span + " s") + " (" + r.getSamplesCount() + " samples, one a second)");
        }
        out.println();
        Table t = new Table("PID", "RSS", "RES-SHR", "PROCESS");
        for (ProcessMemoryInfo p : now.getProcessesList()) {
            t.row(p.getPid(), Units.bytes(p.getRssBytes()), Units.bytes(p.getOwnedBytes()), p.getLabel());
        }
        t.print(out);
    }

    private static double fraction(MemorySample s) {
        return s.getTotalBytes() <= 0 ? 0 : (double) s.getUsedBytes() / s.getTotalBytes();
    }

    private static final java.time.format.DateTimeFormatter TIME =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").withZone(java.time.ZoneId.systemDefault());

    /** The screen of {@code sonde status}: nodes, resources of the alive nodes, workers and tasks. */
    public static void printStatus(PrintWriter out, String address, ClusterStatus s) {
        double cpusUsed = 0;
        double cpusTotal = 0;
        long memUsed = 0;
        long memTotal = 0;
        int workers = 0;
        Table nodes = new Table("NODE_ID", "IP", "ALIVE");
        for (NodeInfo n : s.getNodesList()) {
            nodes.row(n.getNodeId(), n.getIp(), n.getAlive() ? "yes" : "no");
            if (n.getAlive()) {
                cpusUsed += n.getCpusUsed();
                cpusTotal += n.getCpusTotal();
                memUsed += n.getMemoryUsed();
                memTotal += n.getMemoryTotal();
                workers += n.getWorkers();
            }
        }
        out.println("Sonde cluster at " + address);
        out.println();
        out.println("Nodes");
        nodes.print(out, "  ");
        out.println();
        out.println("Resources (alive nodes)");
        out.println("  CPUs     " + Units.cpus(cpusUsed) + "/" + Units.cpus(cpusTotal));
        out.println("  Memory   " + Units.bytes(memUsed) + "/" + Units.bytes(memTotal)
                + "   (resident memory of the node and its workers / the node's memory: --memory, its cgroup's limit or the machine's)");
        out.println("  Workers  " + workers);
        out.println();
        out.println("Tasks");
        out.println("  running  " + s.getRunningTasks());
        out.println("  pending  " + s.getPendingTasks());
        out.flush();
    }

    /** {@code 4.0/8.0}: CPUs in use of the alive nodes' total, as the status line shows them. */
    public static String cpus(ClusterStatus s) {
        double used = 0;
        double total = 0;
        for (NodeInfo n : s.getNodesList()) {
            if (n.getAlive()) {
                used += n.getCpusUsed();
                total += n.getCpusTotal();
            }
        }
        return Units.cpus(used) + "/" + Units.cpus(total);
    }
}

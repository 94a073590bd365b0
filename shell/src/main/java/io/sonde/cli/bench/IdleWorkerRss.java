package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.Sonde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code idle_worker_rss_mb}: the memory an idle worker JVM holds, which bounds how many actors a
 * node can keep at once. Each round starts a new embedded cluster, runs one trivial task, lets its
 * worker sit idle for a round's time, then reads the worker's resident set from
 * {@code /proc/PID/status} ({@code VmRSS}). The note gives RSS − shared as well ({@code RssAnon}:
 * what is the worker's own; the rest, mostly the JDK's mapped files and class data sharing
 * archive, is shared with the other JVMs on the machine).
 */
final class IdleWorkerRss implements Metric {
    private final InitOptions cluster;
    private double[] privateMb;

    IdleWorkerRss(InitOptions cluster) {
        this.cluster = cluster;
    }

    @Override
    public String name() {
        return "idle_worker_rss_mb";
    }

    @Override
    public Measurement measure(Plan plan) throws Exception {
        int rounds = plan.coldStartRounds();
        double[] rss = new double[rounds];
        privateMb = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            Sonde.shutdown();
            Sonde.init(cluster);
            long pid = Sonde.get(Sonde.task(BenchFunctions::workerPid).remote());
            Thread.sleep(plan.round().toMillis()); // idle: its start-up garbage is the GC's to collect
            Path status = Path.of("/proc/" + pid + "/status");
            rss[i] = kib(status, "VmRSS:") / 1024.0;
            privateMb[i] = kib(status, "RssAnon:") / 1024.0;
        }
        return Measurement.of(rss);
    }

    /** A {@code kB} field of {@code /proc/PID/status}. */
    private static long kib(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the worker's memory from " + status + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException(status + " has no " + field + " line (not Linux?)");
    }

    @Override
    public String note() {
        double[] own = privateMb;
        if (own == null || own.length == 0) {
            return "";
        }
        Measurement m = Measurement.of(own);
        return String.format(Locale.ROOT, "RSS - shared %s +- %s MB", Microbenchmark.number(m.mean()),
                Microbenchmark.number(m.stddev()));
    }
}

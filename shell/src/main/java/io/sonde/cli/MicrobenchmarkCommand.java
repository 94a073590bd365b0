package io.sonde.cli;

import io.sonde.InitOptions;
import io.sonde.Sonde;
import io.sonde.cli.bench.Microbenchmark;
import io.sonde.cli.bench.Plan;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.concurrent.Callable;

/**
 * {@code sonde microbenchmark}: Ray's core microbenchmarks on an embedded cluster, so a change to the
 * runtime can be checked for speed in one command and compared with Ray's published figures.
 */
@Command(name = "microbenchmark",
        // one paragraph: picocli wraps it to the terminal's width (separate strings would be separate lines)
        description = "Measure tasks, actor calls, puts and gets, a retry after a crash, the memory monitor's reaction"
                + " and cost, the debugger's latencies and JDWP's cost, and the profiler's attach time and the cost of an"
                + " alloc profile, on embedded clusters. Prints one line per"
                + " metric as `ray microbenchmark` does, with the ratio to Ray's published figures where Ray has one."
                + " Takes five to eight minutes on two cores; --filter runs some. With --address the driver joins a"
                + " running cluster (`sonde start --head`) and measures the metrics that need no cluster of their own.",
        resourceBundle = "io.sonde.cli.MicrobenchmarkCommand$Help")
final class MicrobenchmarkCommand implements Callable<Integer> {
    /** The help of the shared --address as it applies here, whose fallback is embedded clusters. */
    public static final class Help extends ListResourceBundle {
        @Override
        protected Object[][] getContents() {
            return new Object[][] {{ClusterOptions.ADDRESS_HELP,
                    "The cluster to join, e.g. one started by `sonde start --head`: only the metrics that measure the"
                            + " driver's cluster run (tasks, actor calls, puts, gets, the object store's); the others"
                            + " are skipped. Default: $SONDE_ADDRESS, else embedded clusters of the benchmark's own."}};
        }
    }

    /** Only --address: the benchmark joins its cluster through Sonde.init (see {@link ClusterOptions#addressOnly}). */
    @Mixin
    ClusterOptions target;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the means to FILE as one JSON object, metric name to number.")
    Path json;

    @Option(names = "--filter", paramLabel = "WORDS", description = "Run only the metrics whose name contains one of these"
            + " comma-separated words (as SONDE_BENCH_FILTER), e.g. --filter tasks,debugger,profile.")
    String filter;

    @Option(names = "--quick", description = "A few operations per metric only: checks that every metric runs, measures nothing.")
    boolean quick;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    /** The command with --address only (see {@link ClusterOptions#addressOnly}). */
    static CommandLine commandLine() {
        return ClusterOptions.addressOnly(new CommandLine(new MicrobenchmarkCommand()));
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (Sonde.isInitialized()) {
            throw new CommandFailure(1, "Sonde is already initialized in this process; run `sonde microbenchmark` on its own.");
        }
        String address = target.joinAddress();
        String env = System.getenv("SONDE_ADDRESS");
        String remote = address != null ? address : env == null || env.isBlank() ? null : env.trim();
        if (remote != null) {
            if (!ClusterLocator.answers(remote)) {
                throw new CommandFailure(1, "No Sonde cluster answers at " + remote + (address != null ? "" : " ($SONDE_ADDRESS)")
                        + "; start one with `sonde start --head`, or leave the address out to measure embedded clusters.");
            }
            out.println("Joining the cluster at " + remote + (address != null ? "" : " ($SONDE_ADDRESS)") + ": only the"
                    + " metrics that measure the driver's cluster run; spill_gigabytes fills the head's object store,"
                    + " and is skipped unless the head was started with --object-store-memory of at most "
                    + (io.sonde.cli.bench.CoreMetrics.REMOTE_SPILL_LIMIT >> 20) + " MiB.");
        }
        Plan plan = quick ? Plan.quick() : Plan.full();
        out.println("Sonde microbenchmark" + (quick ? " (--quick: smoke run, numbers are meaningless)" : "") + ": "
                + Runtime.getRuntime().availableProcessors() + " processors; clusters are measured at rest (the job's"
                + " worker and its spare started); each metric: " + plan.warmup().toMillis() + " ms warm-up"
                + (plan.settleLimit().isZero() ? "" : ", rates longer (up to " + plan.settleLimit().toSeconds()
                        + " s more) until the JIT compilers of the driver and its workers use under "
                        + Math.round(Plan.SETTLED_JIT_SHARE * 100) + "% of a core")
                + ", then mean +- stddev of " + plan.timedRounds() + " rounds of ~" + plan.round().toMillis() + " ms.");
        out.flush();
        if (filter != null) {
            System.setProperty(Microbenchmark.FILTER_PROPERTY, filter);
        }
        InitOptions cluster = new InitOptions().address(address).logToDriver(false);
        List<Microbenchmark.Result> results = new Microbenchmark(plan, cluster, remote != null).run(out);
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(json, Microbenchmark.json(results), StandardCharsets.UTF_8);
            out.println("Wrote " + results.stream().filter(Microbenchmark.Result::ok).count() + " metrics to " + json);
        }
        long failed = results.stream().filter(r -> !r.ok() && !r.skipped()).count();
        if (failed > 0) {
            throw new CommandFailure(1, failed + " metric(s) failed (see FAILED above); the others were measured.");
        }
        return 0;
    }
}

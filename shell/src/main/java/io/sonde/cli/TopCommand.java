package io.sonde.cli;

import io.sonde.cli.table.ClusterTables;
import io.sonde.proto.MemoryReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

/**
 * {@code sonde top}: the node's memory live, as htop shows a machine's: its use against the kill
 * threshold and its processes by RES − SHR, redrawn every interval until Ctrl-C (or {@code -n}
 * times). On a terminal each screen replaces the last; otherwise screens follow one another.
 */
@Command(name = "top", description = "Show the node's memory live: its use against the kill threshold and each"
        + " process (node manager, drivers, workers) by RES - SHR, redrawn until Ctrl-C.")
final class TopCommand implements Callable<Integer> {
    private static final String CLEAR = "\u001B[H\u001B[2J";

    @Mixin
    ClusterOptions target;

    @Option(names = {"-n", "--iterations"}, paramLabel = "N", description = "Stop after N screens (default: until Ctrl-C).")
    Integer iterations;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1",
            description = "Seconds between screens (default: ${DEFAULT-VALUE}).")
    double interval;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @ParentCommand
    SondeMain sonde;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (iterations != null && iterations < 1) {
            throw new ParameterException(spec.commandLine(), "-n must be 1 or more, got " + iterations
                    + "; leave it out to run until Ctrl-C.");
        }
        if (!(interval >= 0.1)) {
            throw new ParameterException(spec.commandLine(), "--interval must be at least 0.1 seconds, got " + interval);
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean terminal = System.console() != null;
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            for (int i = 0; iterations == null || i < iterations; i++) {
                if (i > 0) {
                    Thread.sleep((long) (interval * 1000));
                }
                MemoryReport r = c.memory(0, target.timeout());
                if (terminal) {
                    out.print(CLEAR);
                } else if (i > 0) {
                    out.println();
                }
                out.println("sonde top - " + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " - "
                        + c.address() + (terminal ? " (Ctrl-C quits)" : ""));
                ClusterTables.printMemory(out, r);
                out.flush();
            }
        }
        return 0;
    }
}

package io.sonde.cli;

import io.sonde.debugger.BreakpointSource;
import io.sonde.debugger.DebugConsole;
import io.sonde.debugger.DebugOptions;
import io.sonde.debugger.SourceLocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.concurrent.Callable;

/**
 * {@code sonde debug}: the tasks parked at {@code Sonde.breakpoint()} in the cluster that
 * {@code sonde status} would show, and a debugger attached to the one chosen. Reads commands
 * line by line from stdin, so a script can pipe them in.
 */
@Command(name = "debug", description = {
        "List the tasks parked at Sonde.breakpoint() and debug one: its frames, locals, Java expressions,"
                + " step/next/finish, continue.",
        "Attach from the machine the worker runs on: workers accept debuggers on 127.0.0.1 only."})
final class DebugCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions target;

    @Option(names = "--sourcepath", paramLabel = "DIR[:DIR...]",
            description = "Where to look for source files. Default: src/main/java, src/test/java and . of the current directory.")
    String sourcepath;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @ParentCommand
    SondeMain sonde;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            BreakpointSource breakpoints = BreakpointSource.rpc(c.channel(), target.timeout());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset()));
            DebugOptions options = DebugOptions.defaults()
                    .withSourcepath(SourceLocator.parse(sourcepath))
                    // piped input: echo each command after its prompt so the transcript reads as typed
                    .withEchoInput(System.console() == null);
            new DebugConsole(breakpoints, in, out, options).run();
        }
        return 0;
    }
}

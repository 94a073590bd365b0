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
        "The debugger reaches a worker through its node's authenticated channel: no worker listens for JDWP."})
final class DebugCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions target;

    @Option(names = "--sourcepath", paramLabel = "DIR[:DIR...]",
            description = "Where to look for source files. Default: src/main/java, src/test/java and . of the current directory.")
    String sourcepath;

    @Option(names = "--jdwp-port", paramLabel = "PORT",
            description = {"Instead of the (sdb) console, a chosen stop waits on 127.0.0.1:PORT (0: any free port)"
                    + " for one JDWP debugger of your own user, such as IntelliJ IDEA's or VS Code's attach to a remote"
                    + " JVM, and relays it to the task's worker through the cluster's authenticated channel. The listener"
                    + " closes when that debugger detaches; Enter lets the task go on from its Sonde.breakpoint()."})
    Integer jdwpPort;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @ParentCommand
    SondeMain sonde;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (jdwpPort != null && (jdwpPort < 0 || jdwpPort > 65535)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--jdwp-port must be 0 to 65535 (0: any free port), not " + jdwpPort + ".");
        }
        try (ClusterLocator.ClusterConnection c = target.connect(sonde.locator())) {
            BreakpointSource breakpoints = BreakpointSource.rpc(c.channel(), target.timeout());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset()));
            DebugOptions options = DebugOptions.defaults()
                    .withSourcepath(SourceLocator.parse(sourcepath))
                    // piped input: echo each command after its prompt so the transcript reads as typed
                    .withEchoInput(System.console() == null)
                    .withJdwpPort(jdwpPort == null ? -1 : jdwpPort);
            new DebugConsole(breakpoints, in, out, options).run();
        }
        return 0;
    }
}

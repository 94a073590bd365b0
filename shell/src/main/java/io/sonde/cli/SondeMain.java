package io.sonde.cli;

import io.grpc.StatusRuntimeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.Map;

/**
 * The {@code sonde} command. Verbs are registered in {@link #commandLine(Map)} only, so adding
 * one (the REPL, {@code run}, {@code debug}) is one line there plus its class.
 *
 * <p>Exit codes: 0 success, 1 the operation failed (the message says what to do next), 2 the
 * command line was wrong.
 */
@Command(name = "sonde",
        description = "Start, inspect and stop Sonde clusters, and measure them.",
        synopsisSubcommandLabel = "VERB",
        commandListHeading = "%nVerbs:%n",
        footer = {"", "Run `sonde VERB --help` for the options of a verb."})
public final class SondeMain implements Runnable {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    private final ClusterLocator locator;

    SondeMain(Map<String, String> env) {
        this.locator = new ClusterLocator(env);
    }

    public static void main(String[] args) {
        // `sonde run` and `sonde shell` start with a JDWP agent on loopback (see the sonde script), so
        // that Sonde.breakpoint() in the driver can stop: take its one connection before any program runs
        if (args.length > 0 && (args[0].equals("run") || args[0].equals("shell"))) {
            io.sonde.debugger.plugin.DebugClientPlugin.takeDriverJdwp();
        }
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** The whole command tree; {@code env} stands in for the process environment so tests control it. */
    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine cli = new CommandLine(new SondeMain(env));
        cli.addSubcommand(new StartCommand());
        cli.addSubcommand(new StopCommand());
        cli.addSubcommand(new StatusCommand());
        cli.addSubcommand(new TopCommand());
        cli.addSubcommand(new ListCommand());
        cli.addSubcommand(new MemoryCommand());
        cli.addSubcommand(new ClasspathCommand());
        cli.addSubcommand(ClusterOptions.addressOnly(new CommandLine(new GetAuthTokenCommand())));
        cli.addSubcommand(MicrobenchmarkCommand.commandLine());
        cli.addSubcommand(new DebugCommand());
        cli.addSubcommand(new ProfileCommand());
        cli.addSubcommand(new StackCommand());
        cli.addSubcommand(ClusterOptions.addressOnly(new CommandLine(new ShellCommand())));
        cli.addSubcommand(RunCommand.commandLine());
        cli.setExecutionExceptionHandler(SondeMain::handle);
        return cli;
    }

    ClusterLocator locator() {
        return locator;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing a verb: say what to do, e.g. `sonde start --head`.");
    }

    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (e instanceof CommandFailure f) {
            cmd.getErr().println(f.getMessage());
            return f.exitCode();
        }
        if (e instanceof StatusRuntimeException s) {
            cmd.getErr().println("The Sonde node stopped answering during `sonde " + cmd.getCommandName() + "`: "
                    + ClusterLocator.describe(s) + ". Check it with `sonde status`, or start one with `sonde start --head`.");
            return 1;
        }
        cmd.getErr().println("`sonde " + cmd.getCommandName() + "` failed unexpectedly; this is a bug in Sonde."
                + " Please report it with the trace below.");
        e.printStackTrace(cmd.getErr());
        return 1;
    }
}

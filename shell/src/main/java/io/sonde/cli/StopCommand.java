package io.sonde.cli;

import io.grpc.StatusRuntimeException;
import io.sonde.proto.DriverInfo;
import io.sonde.proto.Empty;
import io.sonde.proto.StopRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * {@code sonde stop}: asks the head to stop its workers and exit, then waits for the process to be
 * gone so that a {@code sonde start --head} right after it finds the port free. Like {@code ray stop}
 * it succeeds when there is nothing to stop, so scripts can call it unconditionally.
 */
@Command(name = "stop", description = "Stop the running Sonde cluster: its workers, then the head process.",
        resourceBundle = "io.sonde.cli.StopCommand$Help")
final class StopCommand implements Callable<Integer> {
    static final String NOTHING_TO_STOP = "No running Sonde cluster found.";
    // NodeManager.shutdown gives workers a few seconds, then kills them and drains their logs: the
    // answer to a stop request comes that much later than the answer to any other call.
    private static final Duration WORKERS_EXIT = Duration.ofSeconds(20);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    /** The help of the shared --timeout as it applies to stop. */
    public static final class Help extends ListResourceBundle {
        @Override
        protected Object[][] getContents() {
            return new Object[][] {{ClusterOptions.TIMEOUT_HELP, "How long to wait for each answer from the cluster, in seconds, or"
                    + " with ms, s or m: 500ms, 30s, 2m; the stop request waits " + WORKERS_EXIT.toSeconds() + " seconds"
                    + " more, for the workers to exit. Default: ${DEFAULT-VALUE}."}};
        }
    }

    @Option(names = "--force", description = {
            "Kill the workers at once (SIGKILL) instead of letting them finish, and SIGKILL the head",
            "if it is still alive 10 s after being asked to stop, or does not answer at all."})
    boolean force;

    @Mixin
    ClusterOptions target;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @ParentCommand
    SondeMain sonde;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ClusterLocator locator = sonde.locator();
        HeadFiles files = locator.headFiles();
        Optional<ClusterLocator.Candidate> candidate = target.candidate(locator);
        if (candidate.isEmpty()) {
            return nothingAnswers(out, files, null);
        }
        String address = candidate.get().address();
        // Only the head named by the address file is ours to wait for (and to kill with --force).
        boolean startedHere = files.address().map(address::equals).orElse(false);
        Optional<ProcessHandle> daemon = startedHere ? files.liveDaemon() : Optional.empty();
        try (ClusterLocator.ClusterConnection c = ClusterLocator.ClusterConnection.open(candidate.get())) {
            warnOfDrivers(c, spec.commandLine().getErr());
            c.stub(target.timeout().plus(WORKERS_EXIT)).stop(StopRequest.newBuilder().setForce(force).build());
        } catch (StatusRuntimeException e) {
            Optional<CommandFailure> refused = ClusterLocator.refusal(candidate.get(), e);
            if (refused.isPresent()) {
                throw refused.get(); // it runs, and stops nothing for a client without its token
            }
            if (daemon.isPresent()) {
                return unresponsive(out, files, daemon.get(), address, e);
            }
            return nothingAnswers(out, files, candidate.get());
        }
        if (daemon.isEmpty()) {
            if (awaitSilence(address)) {
                if (startedHere) {
                    files.remove();
                }
                out.println("Stopped the Sonde cluster at " + address + ".");
            } else {
                out.println("Stopped the workers of the Sonde node at " + address + "; the process hosting it keeps"
                        + " serving (a driver's embedded cluster ends when that program calls Sonde.shutdown()).");
            }
            return 0;
        }
        ProcessHandle head = daemon.get();
        if (!awaitExit(head, EXIT_TIMEOUT)) {
            if (!force) {
                throw new CommandFailure(1, "Asked the Sonde head at " + address + " (pid " + head.pid() + ") to stop, but it"
                        + " is still running after " + EXIT_TIMEOUT.toSeconds() + " s. Kill it with `sonde stop --force`.");
            }
            kill(head);
            files.removeIfOwnedBy(head.pid());
            out.println("Killed the Sonde head at " + address + " (pid " + head.pid() + "): it did not exit within "
                    + EXIT_TIMEOUT.toSeconds() + " s of being asked to stop.");
            return 0;
        }
        files.removeIfOwnedBy(head.pid());
        out.println("Stopped the Sonde cluster at " + address + " (head pid " + head.pid() + ").");
        return 0;
    }

    /**
     * Says which drivers are connected: stopping the cluster ends their programs' calls. A cluster
     * that does not answer the status call is stopped all the same; the stop call reports why.
     */
    private void warnOfDrivers(ClusterLocator.ClusterConnection c, PrintWriter err) {
        List<DriverInfo> drivers;
        try {
            drivers = c.stub(target.timeout()).status(Empty.getDefaultInstance()).getDriversList();
        } catch (StatusRuntimeException e) {
            return;
        }
        if (drivers.isEmpty()) {
            return;
        }
        String which = drivers.stream()
                .map(d -> "job " + d.getJobId() + (d.getPid() > 0 ? " (pid " + d.getPid() + ")" : ""))
                .collect(Collectors.joining(", "));
        err.println("warning: " + drivers.size() + (drivers.size() == 1 ? " driver is" : " drivers are")
                + " connected to this cluster: " + which + ". Stopping it fails their pending calls (a SondeException"
                + " that says the node manager closed the connection, or a NodeDiedException if the connection"
                + " breaks first); stop them first to let them finish.");
        err.flush();
    }

    private int nothingAnswers(PrintWriter out, HeadFiles files, ClusterLocator.Candidate tried) {
        Optional<ProcessHandle> hung = files.liveDaemon();
        if (hung.isPresent()) {
            return unresponsive(out, files, hung.get(), files.address().orElse("its address"), null);
        }
        boolean stale = files.address().isPresent();
        files.remove();
        out.println(NOTHING_TO_STOP);
        if (tried != null) {
            out.println("  (nothing answers at " + tried.address() + ", from " + tried.source() + ")");
        }
        if (stale) {
            out.println("  Removed the address file left by a head that is gone.");
        }
        return 0;
    }

    private int unresponsive(PrintWriter out, HeadFiles files, ProcessHandle head, String address, StatusRuntimeException e) {
        String why = e == null ? "does not answer" : "did not take the stop request (" + ClusterLocator.describe(e) + ")";
        if (!force) {
            throw new CommandFailure(1, "The Sonde head at " + address + " (pid " + head.pid() + ") is alive but " + why
                    + ".\nKill it with `sonde stop --force`.");
        }
        kill(head);
        files.removeIfOwnedBy(head.pid());
        out.println("Killed the Sonde head at " + address + " (pid " + head.pid() + "), which " + why + ".");
        return 0;
    }

    private static void kill(ProcessHandle head) {
        head.destroyForcibly();
        if (!awaitExit(head, Duration.ofSeconds(5))) {
            throw new CommandFailure(1, "Sent SIGKILL to the Sonde head (pid " + head.pid() + ") but it is still alive"
                    + " after 5 s; check it with `ps -p " + head.pid() + "`.");
        }
    }

    private static boolean awaitExit(ProcessHandle p, Duration timeout) {
        try {
            p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return !p.isAlive();
        } catch (ExecutionException e) {
            return !p.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    /** For a head we know no pid of: stopped once nothing answers at its address any more. */
    private static boolean awaitSilence(String address) throws InterruptedException {
        long deadline = System.nanoTime() + EXIT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!ClusterLocator.answers(address)) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }
}

package io.sonde.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sonde.proto.ClusterStatus;
import io.sonde.proto.Empty;
import io.sonde.proto.NodeManagerGrpc;
import io.sonde.tooling.NodeChannels;
import io.sonde.tooling.SessionDirs;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Decides which cluster a verb talks to, so that {@code status}, {@code list} and {@code stop}
 * agree: {@code --address}, else {@code $SONDE_ADDRESS}, else the address file of the head that
 * {@code sonde start --head} left under {@code SessionDirs.root()}. The first of these that is set
 * wins even if nothing answers there: silently falling back to another cluster would show or
 * stop the wrong one. When none is set, {@code status}, {@code list} and {@code debug} (not
 * {@code stop}) reach the one program of this machine that runs a cluster of its own.
 */
final class ClusterLocator {
    static final String NOT_FOUND =
            "No running Sonde cluster found: start one with `sonde start --head`, or pass --address.";
    // Includes a fresh JVM's first gRPC call, which takes seconds on a loaded machine.
    static final Duration PROBE_DEADLINE = Duration.ofSeconds(10);

    /** Where an address came from, for messages that say which setting to fix. */
    record Candidate(String address, String source) {
    }

    private final Map<String, String> env;

    ClusterLocator(Map<String, String> env) {
        this.env = env;
    }

    /** The head files under the current root; read on every call because tests move the root. */
    HeadFiles headFiles() {
        return new HeadFiles(SessionDirs.root());
    }

    /** Where to look, without asking the network; empty when nothing names a cluster. */
    Optional<Candidate> candidate(String addressOption) {
        if (addressOption != null && !addressOption.isBlank()) {
            return Optional.of(new Candidate(addressOption.trim(), "--address"));
        }
        String fromEnv = env.get("SONDE_ADDRESS");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(new Candidate(fromEnv.trim(), "SONDE_ADDRESS"));
        }
        HeadFiles files = headFiles();
        return files.address().map(a -> new Candidate(a, files.addressFile().toString()));
    }

    /**
     * When nothing names a cluster: the one program on this machine that runs a cluster of its own
     * ({@code sonde run}, {@code sonde shell}, a program's {@code Sonde.init()}), so that
     * {@code sonde debug} reaches the tasks whose notice told the user to run it. Several such
     * programs: the user picks with --address.
     */
    Optional<Candidate> embedded() {
        List<SessionDirs.Running> live = SessionDirs.running().stream()
                .filter(r -> r.pid() != ProcessHandle.current().pid()).toList();
        if (live.isEmpty()) {
            return Optional.empty();
        }
        if (live.size() > 1) {
            StringBuilder b = new StringBuilder("Several programs here run a Sonde cluster of their own; pass --address"
                    + " with one of them:");
            for (SessionDirs.Running r : live) {
                b.append("\n  ").append(r.address()).append("   pid ").append(r.pid()).append(" ")
                        .append(ProcessHandle.of(r.pid()).flatMap(p -> p.info().commandLine()).map(ClusterLocator::shorten)
                                .orElse(""));
            }
            throw new CommandFailure(1, b.toString());
        }
        SessionDirs.Running r = live.get(0);
        return Optional.of(new Candidate(r.address(), "the cluster of pid " + r.pid() + " (" + r.sessionDir() + ")"));
    }

    private static String shorten(String commandLine) {
        return commandLine.length() <= 80 ? commandLine : commandLine.substring(0, 77) + "...";
    }

    /**
     * A connection to the cluster that answers at the chosen address within {@code deadline}, or a
     * failure that says what to do.
     */
    ClusterConnection connect(String addressOption, Duration deadline) {
        Candidate c = candidate(addressOption).or(this::embedded).orElseThrow(() -> new CommandFailure(1, NOT_FOUND));
        ClusterConnection connection = ClusterConnection.open(c);
        try {
            connection.status(deadline);
            return connection;
        } catch (StatusRuntimeException e) {
            connection.close();
            throw refusal(c, e).orElseGet(() -> new CommandFailure(1, NOT_FOUND + "\n  (tried " + c.address() + " from "
                    + c.source() + ": " + describe(e) + ")"));
        }
    }

    /**
     * The cluster at {@code c} runs and refused the call: this client has no auth token of it, or
     * another one. Said as such, with the node's reason (how to get the token), never as "not found".
     */
    static Optional<CommandFailure> refusal(Candidate c, StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAUTHENTICATED) {
            return Optional.empty();
        }
        return Optional.of(new CommandFailure(1, "The Sonde cluster at " + c.address() + " (from " + c.source()
                + ") refused this client: " + e.getStatus().getDescription()));
    }

    /** Whether a Sonde node answers a Status call at {@code address}; one that refuses this client answers. */
    static boolean answers(String address) {
        try (ClusterConnection c = ClusterConnection.open(new Candidate(address, "probe"))) {
            c.status(PROBE_DEADLINE);
            return true;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() == Status.Code.UNAUTHENTICATED;
        } catch (CommandFailure e) {
            return false;
        }
    }

    static String describe(StatusRuntimeException e) {
        Status s = e.getStatus();
        if (s.getCode() == Status.Code.UNAVAILABLE) {
            return "nothing answers there";
        }
        if (s.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return "no answer within the deadline";
        }
        return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
    }

    /** A channel to one node plus the stubs the verbs use; every call carries its own deadline. */
    static final class ClusterConnection implements AutoCloseable {
        private final Candidate candidate;
        private final ManagedChannel channel;

        private ClusterConnection(Candidate candidate, ManagedChannel channel) {
            this.candidate = candidate;
            this.channel = channel;
        }

        static ClusterConnection open(Candidate c) {
            try {
                return new ClusterConnection(c, NodeChannels.open(c.address()));
            } catch (IllegalArgumentException e) { // not a Sonde address
                throw new CommandFailure(2, e.getMessage() + " (from " + c.source() + ")");
            }
        }

        String address() {
            return candidate.address();
        }

        String source() {
            return candidate.source();
        }

        /** The channel to the node, for the services of its plug-ins (the debugger's). */
        io.grpc.Channel channel() {
            return channel;
        }

        NodeManagerGrpc.NodeManagerBlockingStub stub(Duration deadline) {
            return NodeManagerGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** The node's memory: the latest sample, or those of the last {@code lastSeconds}. */
        io.sonde.proto.MemoryReport memory(int lastSeconds, Duration deadline) {
            return stub(deadline).memory(io.sonde.proto.MemoryRequest.newBuilder().setLastSeconds(lastSeconds).build());
        }

        /** Every object the node keeps, and its object store's figures. */
        io.sonde.proto.ObjectList objects(Duration deadline) {
            return stub(deadline).listObjects(Empty.getDefaultInstance());
        }

        /** The node's workers, actors and tasks, each listed when needed: how a process to profile is named. */
        io.sonde.cli.table.ProfileTargets.Lists targets(Duration deadline) {
            return io.sonde.cli.table.ProfileTargets.Lists.of(
                    () -> stub(deadline).listWorkers(Empty.getDefaultInstance()).getWorkersList(),
                    () -> stub(deadline).listActors(Empty.getDefaultInstance()).getActorsList(),
                    () -> stub(deadline).listTasks(Empty.getDefaultInstance()).getTasksList());
        }

        ClusterStatus status(Duration deadline) {
            return stub(deadline).status(Empty.getDefaultInstance());
        }

        @Override
        public void close() {
            channel.shutdownNow();
            try {
                channel.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

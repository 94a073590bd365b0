package io.sonde.shell.repl;

import io.grpc.ManagedChannel;
import io.sonde.debugger.BreakpointSource;
import io.sonde.proto.ActorInfo;
import io.sonde.proto.ClusterStatus;
import io.sonde.proto.Empty;
import io.sonde.proto.NodeManagerGrpc;
import io.sonde.proto.TaskInfo;
import io.sonde.proto.WorkerInfo;
import io.sonde.tooling.HostedNode;
import io.sonde.tooling.NodeChannels;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the shell asks the cluster about itself: the node manager's Status and List calls, over
 * gRPC whether the cluster is embedded (its node listens on loopback too) or remote, so
 * {@code /tasks} shows in the shell what {@code sonde list tasks} shows outside it.
 * Thread-safe; every call carries its own deadline.
 */
public final class ClusterView implements AutoCloseable {
    /** Long enough for a busy node; a command that waits longer says the cluster is not answering. */
    public static final Duration DEADLINE = Duration.ofSeconds(10);

    private final String address;
    private final boolean embedded;
    private final ManagedChannel channel;

    private ClusterView(String address, boolean embedded) {
        this.address = address;
        this.embedded = embedded;
        this.channel = NodeChannels.open(address);
    }

    /**
     * The cluster this process joined with {@code Sonde.init}: the embedded node if it runs one,
     * else {@code remoteAddress} (what {@code --address} or {@code SONDE_ADDRESS} named).
     */
    public static ClusterView ofRuntime(String remoteAddress) {
        return HostedNode.embedded().map(node -> new ClusterView(node.address(), true))
                .orElseGet(() -> new ClusterView(remoteAddress, false));
    }

    public String address() {
        return address;
    }

    /** Whether the cluster runs inside this process (and stops with the shell). */
    public boolean embedded() {
        return embedded;
    }

    public ClusterStatus status(Duration deadline) {
        return stub(deadline).status(Empty.getDefaultInstance());
    }

    /** The node's memory: its latest sample, or those of the last {@code lastSeconds}. */
    public io.sonde.proto.MemoryReport memory(int lastSeconds) {
        return stub(DEADLINE).memory(io.sonde.proto.MemoryRequest.newBuilder().setLastSeconds(lastSeconds).build());
    }

    /** Every object the node keeps, and its object store's figures ({@code /memory}). */
    public io.sonde.proto.ObjectList objects() {
        return stub(DEADLINE).listObjects(Empty.getDefaultInstance());
    }

    public List<TaskInfo> tasks() {
        return stub(DEADLINE).listTasks(Empty.getDefaultInstance()).getTasksList();
    }

    public List<ActorInfo> actors() {
        return stub(DEADLINE).listActors(Empty.getDefaultInstance()).getActorsList();
    }

    public List<WorkerInfo> workers() {
        return stub(DEADLINE).listWorkers(Empty.getDefaultInstance()).getWorkersList();
    }

    /**
     * The tasks parked at {@code Sonde.breakpoint()}: an embedded node's list, read directly, or
     * the ListBreakpoints call of the debugger's service on the node the shell joined.
     */
    public BreakpointSource breakpoints() {
        Optional<HostedNode> node = HostedNode.embedded();
        if (embedded && node.isPresent()) {
            return BreakpointSource.local(node.get());
        }
        return BreakpointSource.rpc(channel, DEADLINE);
    }

    /** The channel to the node, for the services of its plug-ins (the profiler's). */
    public io.grpc.Channel channel() {
        return channel;
    }

    private NodeManagerGrpc.NodeManagerBlockingStub stub(Duration deadline) {
        return NodeManagerGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Closes the channel without waiting: nothing is in flight that the shell still needs. */
    @Override
    public void close() {
        channel.shutdownNow();
    }
}

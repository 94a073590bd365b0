package io.sonde.debugger;

import io.sonde.internal.proto.BreakpointInfo;
import io.sonde.internal.proto.Empty;
import io.sonde.internal.proto.NodeManagerGrpc;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the list of active breakpoints comes from: the node manager's {@code ListBreakpoints}
 * RPC for {@code sonde debug}, or an embedded node's {@code NodeManager.listBreakpoints()}
 * for the shell, passed as {@code node.nodeManager()::listBreakpoints}.
 */
@FunctionalInterface
public interface BreakpointSource {
    /** The tasks parked at {@code Sonde.breakpoint()}, oldest first, indexed from 0. */
    List<BreakpointInfo> list();

    /** Asks a node manager over gRPC; each call has its own deadline. */
    static BreakpointSource rpc(NodeManagerGrpc.NodeManagerBlockingStub stub, Duration deadline) {
        return () -> stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                .listBreakpoints(Empty.getDefaultInstance()).getBreakpointsList();
    }
}

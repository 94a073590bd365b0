package io.sonde.debugger;

import io.sonde.internal.node.NodeManager;
import io.sonde.internal.proto.BreakpointInfo;
import io.sonde.internal.proto.DebugHooks;
import io.sonde.internal.proto.DebugHooksUpdate;
import io.sonde.internal.proto.Empty;
import io.sonde.internal.proto.NodeManagerGrpc;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cluster as the debugger sees it: the active breakpoints, and the breakpoints set from the
 * debugger ({@code break}, {@code catch}) that every worker applies. The node manager's RPCs for
 * {@code sonde debug}, or an embedded node's {@link NodeManager} for the shell.
 */
@FunctionalInterface
public interface BreakpointSource {
    /** The tasks parked at {@code Sonde.breakpoint()}, oldest first, indexed from 0. */
    List<BreakpointInfo> list();

    /** Changes the breakpoints set from the debugger; returns them all, as the node keeps them. */
    default DebugHooks updateHooks(DebugHooksUpdate update) {
        throw new DebugException("This debugger cannot set breakpoints in the cluster's workers; use `sonde debug`.");
    }

    /** The breakpoints set from the debugger. */
    default DebugHooks hooks() {
        return updateHooks(DebugHooksUpdate.getDefaultInstance());
    }

    /**
     * The breakpoints set from the debugger as the workers apply them (class and line of the
     * compiled code), where {@link #hooks()} may show them as the user typed them (the shell's
     * {@code snippet 7:3}). The default: the same.
     */
    default DebugHooks compiledHooks() {
        return hooks();
    }

    /** Asks a node manager over gRPC; each call has its own deadline. */
    static BreakpointSource rpc(NodeManagerGrpc.NodeManagerBlockingStub stub, Duration deadline) {
        return new BreakpointSource() {
            @Override
            public List<BreakpointInfo> list() {
                return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                        .listBreakpoints(Empty.getDefaultInstance()).getBreakpointsList();
            }

            @Override
            public DebugHooks updateHooks(DebugHooksUpdate update) {
                return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).updateDebugHooks(update);
            }
        };
    }

    /** The node manager of an embedded cluster, in this process. */
    static BreakpointSource local(NodeManager node) {
        return new BreakpointSource() {
            @Override
            public List<BreakpointInfo> list() {
                return node.listBreakpoints();
            }

            @Override
            public DebugHooks updateHooks(DebugHooksUpdate update) {
                return node.updateDebugHooks(update);
            }
        };
    }
}

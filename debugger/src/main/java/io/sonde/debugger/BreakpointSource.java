package io.sonde.debugger;

import io.grpc.Channel;
import io.sonde.debugger.plugin.DebugNodePlugin;
import io.sonde.debugger.proto.BreakpointInfo;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.DebugHooksUpdate;
import io.sonde.debugger.proto.DebuggerGrpc;
import io.sonde.debugger.proto.ListBreakpointsRequest;
import io.sonde.debugger.proto.TaskEndedRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sonde.tooling.HostedNode;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cluster as the debugger sees it: the active breakpoints, and the breakpoints set from the
 * debugger ({@code break}, {@code catch}) that every worker applies. The node's Debugger service
 * for {@code sonde debug}, or an embedded node's {@link DebugNodePlugin} for the shell.
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

    /**
     * Whether the task, and every task it submitted that the node still holds, has ended (so a
     * stop that {@code remote} or {@code get} waits for will not come from it). The default, for a
     * source that cannot tell: false.
     */
    default boolean taskEnded(String taskId) {
        return false;
    }

    /**
     * A JDWP connection to the worker of a listed stop, through the node that lists it (its
     * Jdwp tunnel): the worker's JDWP agent listens on no port, so this is the only way in.
     */
    default com.sun.jdi.connect.spi.Connection jdwp(BreakpointInfo b) {
        throw new DebugException("This debugger cannot reach the cluster's workers; use `sonde debug`.");
    }

    /** Asks a node's Debugger service over gRPC (on the node manager's channel); each call has its own deadline. */
    static BreakpointSource rpc(Channel channel, Duration deadline) {
        DebuggerGrpc.DebuggerBlockingStub stub = DebuggerGrpc.newBlockingStub(channel);
        DebuggerGrpc.DebuggerStub async = DebuggerGrpc.newStub(channel);
        return new BreakpointSource() {
            @Override
            public com.sun.jdi.connect.spi.Connection jdwp(BreakpointInfo b) {
                return JdwpTunnel.to(b, describe(b), async::jdwp);
            }

            @Override
            public List<BreakpointInfo> list() {
                return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                        .listBreakpoints(ListBreakpointsRequest.getDefaultInstance()).getBreakpointsList();
            }

            @Override
            public DebugHooks updateHooks(DebugHooksUpdate update) {
                return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).updateDebugHooks(update);
            }

            @Override
            public boolean taskEnded(String taskId) {
                try {
                    return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
                            .taskEnded(TaskEndedRequest.newBuilder().setTaskId(taskId).build()).getEnded();
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                        return false; // a node of an older version: the wait runs its full time
                    }
                    throw e;
                }
            }
        };
    }

    /** The debugger of an embedded cluster's node, in this process. */
    static BreakpointSource local(HostedNode node) {
        DebugNodePlugin debugger = DebugNodePlugin.of(node);
        return new BreakpointSource() {
            @Override
            public com.sun.jdi.connect.spi.Connection jdwp(BreakpointInfo b) {
                return JdwpTunnel.to(b, describe(b), debugger::openTunnel);
            }

            @Override
            public List<BreakpointInfo> list() {
                return debugger.listBreakpoints();
            }

            @Override
            public DebugHooks updateHooks(DebugHooksUpdate update) {
                return debugger.updateDebugHooks(update);
            }

            @Override
            public boolean taskEnded(String taskId) {
                return debugger.taskEnded(taskId);
            }
        };
    }

    private static String describe(BreakpointInfo b) {
        return b.getDriver() ? "the driver (pid " + b.getPid() + ")"
                : "the worker of task " + b.getTaskName() + " (pid " + b.getPid() + ")";
    }
}

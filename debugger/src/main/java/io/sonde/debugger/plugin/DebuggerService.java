package io.sonde.debugger.plugin;

import io.grpc.stub.StreamObserver;
import io.sonde.debugger.proto.BreakpointList;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.DebugHooksUpdate;
import io.sonde.debugger.proto.DebuggerGrpc;
import io.sonde.debugger.proto.ListBreakpointsRequest;
import io.sonde.debugger.proto.TaskEndedReply;
import io.sonde.debugger.proto.TaskEndedRequest;

/** The gRPC face of a node's {@link DebugNodePlugin}, for {@code sonde debug}; holds no state of its own. */
final class DebuggerService extends DebuggerGrpc.DebuggerImplBase {
    private final DebugNodePlugin debugger;

    DebuggerService(DebugNodePlugin debugger) {
        this.debugger = debugger;
    }

    @Override
    public void listBreakpoints(ListBreakpointsRequest request, StreamObserver<BreakpointList> responses) {
        responses.onNext(BreakpointList.newBuilder().addAllBreakpoints(debugger.listBreakpoints()).build());
        responses.onCompleted();
    }

    @Override
    public void updateDebugHooks(DebugHooksUpdate request, StreamObserver<DebugHooks> responses) {
        responses.onNext(debugger.updateDebugHooks(request));
        responses.onCompleted();
    }

    @Override
    public StreamObserver<io.sonde.debugger.proto.JdwpFrame> jdwp(StreamObserver<io.sonde.debugger.proto.JdwpFrame> responses) {
        return debugger.openTunnel(responses);
    }

    @Override
    public void taskEnded(TaskEndedRequest request, StreamObserver<TaskEndedReply> responses) {
        responses.onNext(TaskEndedReply.newBuilder().setEnded(debugger.taskEnded(request.getTaskId())).build());
        responses.onCompleted();
    }
}

package io.sonde.internal.node;

import io.grpc.stub.StreamObserver;
import io.sonde.proto.ActorList;
import io.sonde.proto.ClientMessage;
import io.sonde.proto.ClusterStatus;
import io.sonde.proto.Empty;
import io.sonde.proto.MemoryReport;
import io.sonde.proto.MemoryRequest;
import io.sonde.proto.NodeManagerGrpc;
import io.sonde.proto.NodeMessage;
import io.sonde.proto.ObjectList;
import io.sonde.proto.StopRequest;
import io.sonde.proto.TaskList;
import io.sonde.proto.WorkerCommand;
import io.sonde.proto.WorkerList;
import io.sonde.proto.WorkerMessage;

/** The gRPC face of a {@link NodeManager}; holds no state of its own. */
public final class NodeManagerService extends NodeManagerGrpc.NodeManagerImplBase {
    private final NodeManager node;
    private final Runnable onStop;

    /** @param onStop what {@code sonde stop} does to the process hosting this node (after workers stopped) */
    public NodeManagerService(NodeManager node, Runnable onStop) {
        this.node = node;
        this.onStop = onStop;
    }

    @Override
    public StreamObserver<ClientMessage> connect(StreamObserver<NodeMessage> responses) {
        return node.connect(responses);
    }

    @Override
    public StreamObserver<WorkerMessage> attach(StreamObserver<WorkerCommand> responses) {
        return node.attach(responses);
    }

    @Override
    public void status(Empty request, StreamObserver<ClusterStatus> responses) {
        responses.onNext(node.status());
        responses.onCompleted();
    }

    @Override
    public void listTasks(Empty request, StreamObserver<TaskList> responses) {
        responses.onNext(node.taskList());
        responses.onCompleted();
    }

    @Override
    public void listActors(Empty request, StreamObserver<ActorList> responses) {
        responses.onNext(ActorList.newBuilder().addAllActors(node.listActors()).build());
        responses.onCompleted();
    }

    @Override
    public void listWorkers(Empty request, StreamObserver<WorkerList> responses) {
        responses.onNext(WorkerList.newBuilder().addAllWorkers(node.listWorkers()).build());
        responses.onCompleted();
    }

    @Override
    public void memory(MemoryRequest request, StreamObserver<MemoryReport> responses) {
        responses.onNext(node.memoryReport(request.getLastSeconds()));
        responses.onCompleted();
    }

    @Override
    public void listObjects(Empty request, StreamObserver<ObjectList> responses) {
        responses.onNext(node.listObjects());
        responses.onCompleted();
    }

    @Override
    public void stop(StopRequest request, StreamObserver<Empty> responses) {
        // Stopping workers takes seconds: not on a transport thread. The caller waits for the
        // process to exit, which tells it the stop is complete.
        responses.onNext(Empty.getDefaultInstance());
        responses.onCompleted();
        Thread stopper = new Thread(() -> {
            node.shutdown(request.getForce());
            onStop.run();
        }, "sonde-stop");
        stopper.start();
    }
}

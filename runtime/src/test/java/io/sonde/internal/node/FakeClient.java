package io.sonde.internal.node;

import io.grpc.stub.StreamObserver;
import io.sonde.proto.CancelOutcome;
import io.sonde.proto.CancelTask;
import io.sonde.proto.ClientMessage;
import io.sonde.proto.KillActor;
import io.sonde.proto.NodeMessage;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.RegisterClient;
import io.sonde.proto.Registered;
import io.sonde.proto.TaskKind;
import io.sonde.proto.TaskSpec;
import io.sonde.internal.serialization.Serializer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/**
 * A driver's session with the node, as a core client opens it, capturing every message the node
 * sends. Builds task specs the way the core client does (ids from the client id, the return
 * object id is the task id). Thread-safe.
 */
final class FakeClient implements StreamObserver<NodeMessage> {
    /** Fakes answer in microseconds: look often. */
    static final java.time.Duration POLL = java.time.Duration.ofMillis(5);
    private final List<NodeMessage> received = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong();
    private final StreamObserver<ClientMessage> up;
    private final Registered registered;
    /** While set, the client does not return from onNext for a result: a client that does not read. */
    private volatile CountDownLatch readGate;

    private FakeClient(NodeManager node, RegisterClient register) {
        up = node.connect(this);
        up.onNext(ClientMessage.newBuilder().setRegister(register).build());
        registered = await().pollInterval(POLL).atMost(5, TimeUnit.SECONDS).until(() -> received.stream()
                .filter(NodeMessage::hasRegistered).map(NodeMessage::getRegistered).findFirst().orElse(null), r -> r != null);
    }

    static FakeClient driver(NodeManager node) {
        return new FakeClient(node, RegisterClient.newBuilder().setIsDriver(true).setLogToDriver(true).build());
    }

    /** The client of a worker of the job, as a worker's core client opens it to submit nested tasks. */
    static FakeClient worker(NodeManager node, String jobId, String workerId) {
        return new FakeClient(node, RegisterClient.newBuilder().setIsDriver(false).setJobId(jobId)
                .setWorkerId(workerId).build());
    }

    /** The client's stream breaks, as when its process dies. */
    void close() {
        up.onError(new io.grpc.StatusRuntimeException(io.grpc.Status.UNAVAILABLE));
    }

    String clientId() {
        return registered.getClientId();
    }

    String jobId() {
        return registered.getJobId();
    }

    @Override
    public void onNext(NodeMessage m) {
        received.add(m);
        CountDownLatch gate = readGate;
        if (gate != null && m.hasReady()) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** From now on, the client stops in onNext at each result until the latch opens. */
    void stopReadingUntil(CountDownLatch gate) {
        this.readGate = gate;
    }

    @Override
    public void onError(Throwable t) {
    }

    @Override
    public void onCompleted() {
    }

    /** A normal task needing one CPU, retried up to {@code maxRetries} times. */
    TaskSpec.Builder task(String name) {
        String id = clientId() + "t" + Long.toHexString(sequence.incrementAndGet());
        return TaskSpec.newBuilder().setTaskId(id).setReturnId(id).setJobId(jobId()).setName(name)
                .setKind(TaskKind.NORMAL).setOwnerId(clientId()).setNumCpus(1);
    }

    /** The creation of an actor that needs one CPU for its life. */
    TaskSpec.Builder actor(String className) {
        String actorId = clientId() + "a" + Long.toHexString(sequence.incrementAndGet());
        return task(className).setKind(TaskKind.ACTOR_CREATION).setActorId(actorId).setActorClass(className);
    }

    /** A call of the actor (calls hold no CPU of their own). */
    TaskSpec.Builder call(TaskSpec actor, String method) {
        return task(actor.getActorClass() + "." + method).setKind(TaskKind.ACTOR_METHOD).setNumCpus(0)
                .setActorId(actor.getActorId()).setActorClass(actor.getActorClass());
    }

    /** Submits the task; returns its spec (its task id is also its result's object id). */
    TaskSpec submit(TaskSpec.Builder spec) {
        TaskSpec s = spec.build();
        up.onNext(ClientMessage.newBuilder().setSubmit(s).build());
        return s;
    }

    void cancel(TaskSpec task, boolean force, boolean recursive) {
        up.onNext(ClientMessage.newBuilder().setCancel(CancelTask.newBuilder().setObjectId(task.getReturnId())
                .setForce(force).setRecursive(recursive)).build());
    }

    /** Cancels and asks the node to tell what the cancel did (see {@link #cancelOutcome}). */
    void cancel(TaskSpec task, boolean force, boolean recursive, long requestId) {
        up.onNext(ClientMessage.newBuilder().setCancel(CancelTask.newBuilder().setObjectId(task.getReturnId())
                .setForce(force).setRecursive(recursive).setRequestId(requestId)).build());
    }

    /** The node's answer to the cancel with that request id, once it came; null until then. */
    CancelOutcome cancelOutcome(long requestId) {
        return received.stream().filter(NodeMessage::hasCancelOutcome).map(NodeMessage::getCancelOutcome)
                .filter(o -> o.getRequestId() == requestId).findFirst().orElse(null);
    }

    /** The driver's last handle to the actor went: it releases the actor's anchor (see ActorHandleImpl). */
    void releaseHandles(TaskSpec actor) {
        up.onNext(ClientMessage.newBuilder().setRelease(io.sonde.proto.ReleaseObjects.newBuilder()
                .addObjectIds(actor.getActorId())).build());
    }

    void kill(TaskSpec actor, boolean noRestart) {
        up.onNext(ClientMessage.newBuilder().setKill(KillActor.newBuilder().setActorId(actor.getActorId())
                .setNoRestart(noRestart)).build());
    }

    /** The lines the node manager itself sent this client (its warnings), in order. */
    List<String> nodeLines() {
        return received.stream().filter(NodeMessage::hasLogs).map(NodeMessage::getLogs)
                .filter(l -> l.getWorkerId().equals("node-manager")).flatMap(l -> l.getLinesList().stream()).toList();
    }

    /** The values the node sent for the task's result, in order. */
    List<ObjectValue> results(TaskSpec task) {
        return received.stream().filter(NodeMessage::hasReady).map(NodeMessage::getReady)
                .filter(r -> r.getObjectId().equals(task.getReturnId())).map(r -> r.getValue()).toList();
    }

    /** Waits for the task's result and returns it decoded: a value, or the exception it failed with. */
    Object result(TaskSpec task) {
        ObjectValue v = await().pollInterval(POLL).atMost(5, TimeUnit.SECONDS).until(() -> results(task).stream().findFirst().orElse(null),
                r -> r != null);
        return Serializer.decode(v.getData(), getClass().getClassLoader());
    }

    boolean hasResult(TaskSpec task) {
        return !results(task).isEmpty();
    }
}

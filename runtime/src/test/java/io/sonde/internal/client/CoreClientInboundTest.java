package io.sonde.internal.client;

import io.grpc.stub.StreamObserver;
import io.sonde.ObjectRef;
import io.sonde.internal.NonBlockingObserver;
import io.sonde.proto.ClientMessage;
import io.sonde.proto.LogBatch;
import io.sonde.proto.NodeMessage;
import io.sonde.proto.ObjectReady;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.RegisterClient;
import io.sonde.proto.Registered;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How a client takes the node's messages: never blocking the thread that delivers them (for an
 * embedded node, the node's own), and in the order they came.
 */
class CoreClientInboundTest {
    private final CountDownLatch printed = new CountDownLatch(1);
    private final AtomicReference<StreamObserver<NodeMessage>> inbound = new AtomicReference<>();
    private final CoreClient client = new CoreClient(in -> {
        inbound.set(in);
        return new StreamObserver<>() {
            @Override
            public void onNext(ClientMessage m) {
                if (m.hasRegister()) {
                    in.onNext(NodeMessage.newBuilder().setRegistered(Registered.newBuilder().setClientId("c-1")).build());
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }, RegisterClient.newBuilder().setIsDriver(true).build(), null, new BlockingRelay(), "test");

    @AfterEach
    void close() {
        printed.countDown();
        client.close();
    }

    @Test
    void theClientPromisesTheNodeNotToBlockItsDeliveringThread() {
        assertThat(inbound.get()).isInstanceOf(NonBlockingObserver.class);
    }

    @Test
    void aResultBehindLogLinesThatArePrintingWaitsForThemWithoutBlockingTheNode() throws Exception {
        // What must not be lost: the order of a task's prints and its result (prints first), and
        // the node's thread, which must not wait for a slow terminal.
        ObjectRef<Integer> ref = () -> "obj-1";
        // the client asks first: a value it does not wait for (its last ref went) is not kept
        assertThat(client.wait(List.of(ref), 0, Duration.ZERO).ready()).isEmpty();
        deliverWithin(Duration.ofSeconds(5), NodeMessage.newBuilder().setLogs(LogBatch.getDefaultInstance()).build());
        deliverWithin(Duration.ofSeconds(5), ready("obj-1"));

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> client.wait(List.of(ref), 0, Duration.ZERO).ready().isEmpty());

        printed.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> client.wait(List.of(ref), 1, Duration.ZERO).ready().contains(ref));
    }

    @Test
    void aResultWithNothingAheadOfItIsTakenOnTheDeliveringThread() throws Exception {
        ObjectRef<Integer> ref = () -> "obj-2";
        assertThat(client.wait(List.of(ref), 0, Duration.ZERO).ready()).isEmpty();
        deliverWithin(Duration.ofSeconds(5), ready("obj-2"));
        // no other thread was involved: it is ready the moment onNext returned
        assertThat(client.wait(List.of(ref), 1, Duration.ZERO).ready()).containsExactly(ref);
    }

    private void deliverWithin(Duration limit, NodeMessage m) throws Exception {
        CompletableFuture<Void> delivered = CompletableFuture.runAsync(() -> inbound.get().onNext(m));
        delivered.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static NodeMessage ready(String id) {
        return NodeMessage.newBuilder().setReady(ObjectReady.newBuilder().setObjectId(id)
                .setValue(ObjectValue.getDefaultInstance())).build();
    }

    /** A terminal that takes its time: printing waits until the test lets it go. */
    private final class BlockingRelay implements LogRelay {
        @Override
        public void accept(LogBatch batch) {
            try {
                printed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void notice(String taskName, long pid, String nodeIp, String text) {
        }

        @Override
        public void close() {
        }
    }
}

package io.sonde.internal.node;

import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sonde.internal.NonBlockingObserver;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** How the node delivers to a gRPC stream: after its lock, on the sending thread, in order. */
class SerialObserverTest {
    private final NodeLock lock = new NodeLock();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @Test
    void aMessageSentUnderTheLockIsDeliveredByTheSenderRightAfterItLetsGo() {
        Recorder stream = new Recorder();
        SerialObserver<Integer> out = new SerialObserver<>(stream, lock, pool);

        lock.run(() -> {
            out.onNext(1);
            lock.run(() -> out.onNext(2)); // reentrant: still held after the inner release
            assertThat(stream.messages).as("nothing is delivered while the lock is held").isEmpty();
        });

        assertThat(stream.messages).containsExactly(1, 2);
        assertThat(stream.threads).containsOnly(Thread.currentThread().getName());
        assertThat(stream.underLock).as("no delivery ran under the node's lock").isZero();
    }

    @Test
    void manySendersKeepTheOrderInWhichTheyEnqueuedUnderTheLock() throws Exception {
        Recorder stream = new Recorder();
        SerialObserver<Integer> out = new SerialObserver<>(stream, lock, pool);
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        ExecutorService senders = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 2000; i++) {
            int n = i;
            senders.execute(() -> lock.run(() -> {
                order.add(n);
                out.onNext(n);
            }));
        }
        senders.shutdown();
        assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> stream.size() == 2000);

        assertThat(stream.snapshot()).isEqualTo(new ArrayList<>(order));
        assertThat(stream.underLock).isZero();
        assertThat(stream.overlaps).as("one delivering thread at a time").isZero();
    }

    @Test
    void anInProcessReceiverIsDeliveredOnTheSenderOnlyIfItPromisesNotToBlock() {
        List<String> quick = Collections.synchronizedList(new ArrayList<>());
        List<String> other = Collections.synchronizedList(new ArrayList<>());
        SerialObserver<Integer> promised = new SerialObserver<>(new Promised(quick), lock, pool);
        SerialObserver<Integer> plain = new SerialObserver<>(receiver(other), lock, pool);

        lock.run(() -> {
            promised.onNext(1);
            plain.onNext(1);
        });

        assertThat(quick).as("a NonBlockingObserver: delivered by the sender once it let go of the lock")
                .containsExactly(Thread.currentThread().getName());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> other.size() == 1);
        assertThat(other).as("any other in-process receiver may block: delivered on the send pool")
                .doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void aStreamThatThrowsIsBrokenAndLaterMessagesAreDropped() {
        Recorder stream = new Recorder();
        stream.failAt = 2;
        SerialObserver<Integer> out = new SerialObserver<>(stream, lock, pool);
        for (int i = 1; i <= 4; i++) {
            out.onNext(i);
        }
        out.onCompleted();
        assertThat(stream.messages).containsExactly(1);
        assertThat(stream.completed).isFalse();
    }

    /** An in-process receiver that records which thread delivered to it. */
    private static StreamObserver<Integer> receiver(List<String> threads) {
        return new StreamObserver<>() {
            @Override
            public void onNext(Integer value) {
                threads.add(Thread.currentThread().getName());
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    /** {@link #receiver}, with the promise not to block. */
    private static final class Promised implements NonBlockingObserver<Integer> {
        private final StreamObserver<Integer> target;

        Promised(List<String> threads) {
            this.target = receiver(threads);
        }

        @Override
        public void onNext(Integer value) {
            target.onNext(value);
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }

    /** A gRPC stream that records what reaches it, from which thread, and whether under the lock. */
    private final class Recorder extends CallStreamObserver<Integer> {
        final List<Integer> messages = new ArrayList<>();
        final List<String> threads = new ArrayList<>();
        volatile int underLock;
        volatile int overlaps;
        volatile boolean completed;
        int failAt = -1;
        private volatile boolean inside;

        @Override
        public void onNext(Integer value) {
            if (inside) {
                overlaps++;
            }
            inside = true;
            try {
                if (lock.isHeldByCurrentThread()) {
                    underLock++;
                }
                if (value == failAt) {
                    throw new IllegalStateException("the peer left");
                }
                synchronized (this) {
                    messages.add(value);
                    threads.add(Thread.currentThread().getName());
                }
            } finally {
                inside = false;
            }
        }

        synchronized int size() {
            return messages.size();
        }

        synchronized List<Integer> snapshot() {
            return new ArrayList<>(messages);
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
            completed = true;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setOnReadyHandler(Runnable onReadyHandler) {
        }

        @Override
        public void disableAutoInboundFlowControl() {
        }

        @Override
        public void request(int count) {
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }
    }
}

package io.sonde.internal.client;

import io.grpc.stub.StreamObserver;

/** gRPC stream observers are not thread-safe; this one lets many threads send on one stream. */
public final class SerializedObserver<T> implements StreamObserver<T> {
    private final StreamObserver<T> delegate;

    public SerializedObserver(StreamObserver<T> delegate) {
        this.delegate = delegate;
    }

    @Override
    public synchronized void onNext(T value) {
        delegate.onNext(value);
    }

    @Override
    public synchronized void onError(Throwable t) {
        delegate.onError(t);
    }

    @Override
    public synchronized void onCompleted() {
        delegate.onCompleted();
    }
}

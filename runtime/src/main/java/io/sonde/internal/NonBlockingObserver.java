package io.sonde.internal;

import io.grpc.stub.StreamObserver;

/**
 * A receiver in the same process as the node whose {@code onNext}, {@code onError} and
 * {@code onCompleted} never block and never wait for another thread: what could (printing,
 * answering a request, a plug-in's code) it hands to its own serial executor. The node delivers to
 * such a receiver on the thread that sent, as it does to a gRPC stream, instead of handing each
 * message to another thread; an embedded driver's client is one.
 */
public interface NonBlockingObserver<T> extends StreamObserver<T> {
}

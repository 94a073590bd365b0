package io.sonde.profiler.plugin;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sonde.profiler.proto.HeapRequest;
import io.sonde.profiler.proto.HeapResult;
import io.sonde.profiler.proto.LeaksReply;
import io.sonde.profiler.proto.LeaksRequest;
import io.sonde.profiler.proto.ProfileReply;
import io.sonde.profiler.proto.ProfileRequest;
import io.sonde.profiler.proto.ProfilerGrpc;
import io.sonde.profiler.proto.StacksReply;
import io.sonde.profiler.proto.StacksRequest;
import io.sonde.profiler.proto.UsageReply;
import io.sonde.profiler.proto.UsageRequest;
import io.sonde.profiler.proto.WorkerEvent;

/**
 * The gRPC face of a node's {@link ProfilerNodePlugin}, for {@code sonde profile}, {@code sonde stack}
 * {@code sonde memory --heap} and {@code --leaks}; holds no state of its own. Each rpc's answers come from the
 * plug-in's one thread, so its stream is called by one thread at a time.
 */
final class ProfilerService extends ProfilerGrpc.ProfilerImplBase {
    private final ProfilerNodePlugin profiler;

    ProfilerService(ProfilerNodePlugin profiler) {
        this.profiler = profiler;
    }

    @Override
    public void profile(ProfileRequest request, StreamObserver<ProfileReply> responses) {
        // Ctrl-C in `sonde profile`: the profile ends now rather than run out its duration. Set before
        // the plug-in's thread may answer: gRPC takes the handler only before the call's first message.
        java.util.concurrent.atomic.AtomicReference<Runnable> stop = new java.util.concurrent.atomic.AtomicReference<>();
        ((ServerCallStreamObserver<ProfileReply>) responses).setOnCancelHandler(() -> {
            Runnable s = stop.get();
            if (s != null) {
                s.run();
            }
        });
        stop.set(profiler.profile(request, new ProfilerNodePlugin.Answer() {
            @Override
            public void event(WorkerEvent e) {
                try {
                    switch (e.getBodyCase()) {
                        case STARTED -> responses.onNext(ProfileReply.newBuilder().setStarted(e.getStarted()).build());
                        case CHUNK -> responses.onNext(ProfileReply.newBuilder().setChunk(e.getChunk()).build());
                        case RESULT -> {
                            responses.onNext(ProfileReply.newBuilder().setResult(e.getResult()).build());
                            responses.onCompleted();
                        }
                        default -> responses.onError(Status.FAILED_PRECONDITION.withDescription(e.getError())
                                .asRuntimeException());
                    }
                } catch (RuntimeException cancelled) {
                    // the caller left; its profile was stopped
                }
            }

            @Override
            public void failed(Status status) {
                try {
                    responses.onError(status.asRuntimeException());
                } catch (RuntimeException cancelled) {
                    // the caller left
                }
            }
        }));
    }

    @Override
    public void stacks(StacksRequest request, StreamObserver<StacksReply> responses) {
        profiler.stacks(all -> {
            responses.onNext(StacksReply.newBuilder().addAllProcesses(all).build());
            responses.onCompleted();
        });
    }

    @Override
    public void usage(UsageRequest request, StreamObserver<UsageReply> responses) {
        profiler.usage(all -> {
            responses.onNext(UsageReply.newBuilder().addAllWorkers(all).build());
            responses.onCompleted();
        });
    }

    @Override
    public void leaks(LeaksRequest request, StreamObserver<LeaksReply> responses) {
        profiler.leaks(reply -> {
            responses.onNext(reply);
            responses.onCompleted();
        });
    }

    @Override
    public void heap(HeapRequest request, StreamObserver<HeapResult> responses) {
        profiler.heap(request, new ProfilerNodePlugin.Answer() {
            @Override
            public void event(WorkerEvent e) {
                if (e.hasHeap()) {
                    responses.onNext(e.getHeap());
                    responses.onCompleted();
                } else {
                    responses.onError(Status.FAILED_PRECONDITION.withDescription(e.getError()).asRuntimeException());
                }
            }

            @Override
            public void failed(Status status) {
                responses.onError(status.asRuntimeException());
            }
        });
    }
}

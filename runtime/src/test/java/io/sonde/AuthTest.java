package io.sonde;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.sonde.proto.ClientMessage;
import io.sonde.proto.Empty;
import io.sonde.proto.NodeManagerGrpc;
import io.sonde.proto.NodeMessage;
import io.sonde.proto.RegisterClient;
import io.sonde.proto.StopRequest;
import io.sonde.proto.WorkerCommand;
import io.sonde.proto.WorkerHello;
import io.sonde.proto.WorkerMessage;
import io.sonde.testing.SondeCluster;
import io.sonde.tooling.NodeChannels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every entry point of a cluster takes calls only with its auth token: a client without it, or
 * with another one, is refused with UNAUTHENTICATED and told how to get it, and the node logs the
 * refusal with the peer's address. What must not be lost: a refused {@code Stop} stops nothing.
 */
class AuthTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded();

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureErr() {
        originalErr = System.err;
        System.setErr(new PrintStream(new TeeStream(originalErr, err), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreErr() {
        System.setErr(originalErr);
    }

    /** A channel to the cluster that sends {@code authorization} as given (null: no such header), not the token. */
    private static ManagedChannel channel(String authorization) {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress("127.0.0.1", cluster.node().port()).usePlaintext();
        if (authorization != null) {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
            ClientInterceptor i = MetadataUtils.newAttachHeadersInterceptor(headers);
            b.intercept(i);
        }
        return b.build();
    }

    @ParameterizedTest(name = "authorization: {0}")
    @ValueSource(strings = {"<none>", "Bearer 0000000000000000000000000000000000000000000000000000000000000000",
            "Bearer ", "Basic c29uZGU6c29uZGU="})
    void everyServiceRefusesACallWithoutTheClustersToken(String authorization) throws Exception {
        ManagedChannel ch = channel(authorization.equals("<none>") ? null : authorization);
        try {
            NodeManagerGrpc.NodeManagerBlockingStub stub = NodeManagerGrpc.newBlockingStub(ch)
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            List<Consumer<NodeManagerGrpc.NodeManagerBlockingStub>> unary = List.of(
                    s -> s.status(Empty.getDefaultInstance()),
                    s -> s.listTasks(Empty.getDefaultInstance()),
                    s -> s.listActors(Empty.getDefaultInstance()),
                    s -> s.listWorkers(Empty.getDefaultInstance()),
                    s -> s.stop(StopRequest.newBuilder().setForce(true).build()));
            for (Consumer<NodeManagerGrpc.NodeManagerBlockingStub> call : unary) {
                assertRefused(catchThrowableOfType(() -> call.accept(stub), StatusRuntimeException.class));
            }
            // the two streams: a driver's and a worker's
            CompletableFuture<Throwable> driver = new CompletableFuture<>();
            StreamObserver<ClientMessage> up = NodeManagerGrpc.newStub(ch).connect(ending(driver));
            up.onNext(ClientMessage.newBuilder().setRegister(RegisterClient.newBuilder().setIsDriver(true)).build());
            assertRefused(driver.get(10, TimeUnit.SECONDS));
            CompletableFuture<Throwable> worker = new CompletableFuture<>();
            StreamObserver<WorkerMessage> w = NodeManagerGrpc.newStub(ch).attach(ending(worker));
            w.onNext(WorkerMessage.newBuilder().setHello(WorkerHello.newBuilder().setWorkerId("w-intruder")).build());
            assertRefused(worker.get(10, TimeUnit.SECONDS));
        } finally {
            ch.shutdownNow();
        }

        // the refused stop stopped nothing: the cluster runs tasks as before
        assertThat(Sonde.get(Sonde.task(() -> 6 * 7).remote(), Duration.ofSeconds(60))).isEqualTo(42);
        assertThat(cluster.nodeManager().listWorkers()).isNotEmpty();
        // and each refusal is in the node's log, with who called
        String log = err.toString(StandardCharsets.UTF_8);
        for (String method : List.of("Status", "ListTasks", "ListActors", "ListWorkers", "Stop", "Connect", "Attach")) {
            assertThat(log).containsPattern("refused a call to sonde\\.NodeManager/" + method + " from /127\\.0\\.0\\.1:\\d+: "
                    + (authorization.equals("<none>") ? "it carried no auth token" : "its auth token is wrong"));
        }
    }

    @Test
    void theOwnerFindsTheTokenByItselfAndItIsTheOwnersAlone() throws Exception {
        ManagedChannel ch = NodeChannels.open(cluster.address());
        try {
            assertThat(NodeManagerGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .status(Empty.getDefaultInstance()).getNodesCount()).isEqualTo(1);
        } finally {
            ch.shutdownNow();
        }
        Path session = cluster.node().sessionDir();
        Path token = session.resolve("auth_token");
        assertThat(Files.readString(token).strip()).matches("[0-9a-f]{64}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(session))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(session.resolve("logs"))))
                .isEqualTo("rwx------");
        // the workers have it, yet not on their command line, which every user can read
        Sonde.get(Sonde.task(() -> 1).remote(), Duration.ofSeconds(60));
        long pid = cluster.nodeManager().listWorkers().get(0).getPid();
        String commandLine = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
        assertThat(commandLine).doesNotContain(Files.readString(token).strip());
    }

    private static void assertRefused(Throwable t) {
        assertThat(t).isNotNull();
        Status s = Status.fromThrowable(t);
        assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(s.getDescription()).contains("sonde get-auth-token").contains("SONDE_AUTH_TOKEN");
    }

    private static <T> StreamObserver<T> ending(CompletableFuture<Throwable> end) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                end.complete(new AssertionError("the node answered a refused stream: " + value));
            }

            @Override
            public void onError(Throwable t) {
                end.complete(t);
            }

            @Override
            public void onCompleted() {
                end.complete(new AssertionError("the node completed a refused stream"));
            }
        };
    }

    /** Writes to the terminal and keeps a copy. */
    /** Writes to both: what a test captures still reaches the console. */
    static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}

package io.sonde.cli.bench;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.sonde.tooling.NodeChannels;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * {@code grpc_loopback_unary_rtt_us}: the floor under every Sonde RPC. A 16-byte unary echo between
 * a client and a server in this JVM over TCP on 127.0.0.1, both built the way Sonde builds its own
 * (Netty, direct executor, {@link NodeChannels#open}). The echo service is defined here with a
 * raw byte[] marshaller, not in sonde.proto, so protobuf costs nothing and the node is not involved.
 */
final class GrpcLoopbackRtt implements Metric {
    private static final String SERVICE = "sonde.bench.Echo";
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Echo"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    private static final byte[] PAYLOAD = new byte[16];

    @Override
    public String name() {
        return "grpc_loopback_unary_rtt_us";
    }


    @Override
    public Measurement measure(Plan plan) throws Exception {
        Server server = echoServer();
        ManagedChannel channel = NodeChannels.open("127.0.0.1", server.getPort());
        try {
            return Rounds.timePerUnit(plan, 1e6, () -> echo(channel, plan.batch()));
        } finally {
            close(channel, server);
        }
    }

    /** A server of the echo service on a free loopback port, its calls passed through {@code interceptors}. */
    static Server echoServer(ServerInterceptor... interceptors) throws IOException {
        ServerServiceDefinition echo = ServerServiceDefinition.builder(SERVICE)
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((byte[] request, io.grpc.stub.StreamObserver<byte[]> reply) -> {
                    reply.onNext(request);
                    reply.onCompleted();
                }))
                .build();
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(echo, interceptors))
                .directExecutor()
                .build()
                .start();
    }

    /** {@code n} blocking echo calls of 16 bytes; returns {@code n}. */
    static int echo(Channel channel, int n) {
        for (int i = 0; i < n; i++) {
            ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, PAYLOAD);
        }
        return n;
    }

    static void close(ManagedChannel channel, Server server) throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow();
        channel.awaitTermination(2, TimeUnit.SECONDS);
        server.awaitTermination(2, TimeUnit.SECONDS);
    }
}

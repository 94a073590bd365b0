package io.sonde.cli.bench;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
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

    @Override
    public String name() {
        return "grpc_loopback_unary_rtt_us";
    }


    @Override
    public Measurement measure(Plan plan) throws Exception {
        ServerServiceDefinition echo = ServerServiceDefinition.builder(SERVICE)
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((byte[] request, io.grpc.stub.StreamObserver<byte[]> reply) -> {
                    reply.onNext(request);
                    reply.onCompleted();
                }))
                .build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(echo)
                .directExecutor()
                .build()
                .start();
        ManagedChannel channel = NodeChannels.open("127.0.0.1", server.getPort());
        try {
            byte[] payload = new byte[16];
            return Rounds.timePerUnit(plan, 1e6, () -> {
                for (int i = 0; i < plan.batch(); i++) {
                    ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, payload);
                }
                return plan.batch();
            });
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
            channel.awaitTermination(2, TimeUnit.SECONDS);
            server.awaitTermination(2, TimeUnit.SECONDS);
        }
    }
}

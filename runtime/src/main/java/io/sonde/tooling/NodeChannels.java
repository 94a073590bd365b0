package io.sonde.tooling;

import io.grpc.ManagedChannel;
import io.sonde.internal.SondeRuntime;

/**
 * gRPC channels to a Sonde node, built as Sonde builds its own (plaintext on loopback, messages
 * of any size, a wide flow-control window, the direct executor): for the calls of
 * {@code sonde.proto} that the CLI and the shell make, and for the services of plug-ins. The
 * caller owns the channel and shuts it down.
 */
public final class NodeChannels {
    private NodeChannels() {
    }

    /**
     * A channel to the node at {@code sonde://host:port} (or {@code host:port}).
     *
     * @throws IllegalArgumentException if {@code address} is not a Sonde address; the message
     *                                  says what is expected
     */
    public static ManagedChannel open(String address) {
        SondeRuntime.HostPort hp = SondeRuntime.HostPort.parse(address);
        return open(hp.host(), hp.port());
    }

    /** A channel to {@code host:port}. */
    public static ManagedChannel open(String host, int port) {
        return SondeRuntime.channel(host, port);
    }
}

package io.sonde.tooling;

import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.sonde.internal.cluster.AuthToken;

import java.util.function.Consumer;

/**
 * The cluster's token check, as the node applies it, for a server of a plug-in or a tool that must
 * admit the same clients as the node (the CLI's benchmark of the check's cost; later, the
 * dashboard's entry points). The node's own services already carry it.
 */
public final class AuthTokens {
    private AuthTokens() {
    }

    /** A new token, as a cluster makes when it starts: 256 bits of {@code SecureRandom}, in hex. */
    public static String generate() {
        return AuthToken.generate().value();
    }

    /** Presents {@code token} on every call of the channel it intercepts. */
    public static ClientInterceptor client(String token) {
        return parse(token).client();
    }

    /**
     * Admits only calls that present {@code token} (compared in constant time); refuses the others
     * with {@code UNAUTHENTICATED} and a message that says how to get the token, and tells
     * {@code log} the refused call and its peer.
     */
    public static ServerInterceptor server(String token, Consumer<String> log) {
        return parse(token).server(log);
    }

    private static AuthToken parse(String token) {
        return AuthToken.of(token).orElseThrow(() -> new IllegalArgumentException("An auth token must not be blank."));
    }
}

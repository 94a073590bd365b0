package io.sonde.internal.cluster;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The secret every call to a Sonde cluster carries: 256 random bits, made when the cluster starts,
 * kept in its session directory ({@code auth_token}, readable by its owner only) and handed to the
 * workers it starts (in their environment, which only the same user can read).
 *
 * <pre>
 *   client ──channel──▶ {@link #client}: header "authorization: Bearer TOKEN" on every call
 *   node   ──server───▶ {@link #server}: compares in constant time; else UNAUTHENTICATED, logged with the peer
 * </pre>
 *
 * <p>A client finds the token by itself ({@link #find}): {@code SONDE_AUTH_TOKEN}, else the file
 * named by {@code SONDE_AUTH_TOKEN_PATH}, else the session directory of the running cluster at that
 * address under the user's own session root. Streams are checked once, when they open: the
 * check costs nothing per task.
 */
public final class AuthToken {
    /** The environment variable that gives a client the token (workers get it this way). */
    public static final String ENV = "SONDE_AUTH_TOKEN";
    /** The environment variable that names a file holding the token. */
    public static final String PATH_ENV = "SONDE_AUTH_TOKEN_PATH";
    /** The token's file in a session directory. */
    public static final String FILE = "auth_token";
    static final Metadata.Key<String> HEADER = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String value;

    private AuthToken(String value) {
        this.value = value;
    }

    /** A new token: 32 bytes of {@link SecureRandom}, as 64 hex digits. */
    public static AuthToken generate() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return new AuthToken(HexFormat.of().formatHex(b));
    }

    /** A token as a user gave it; blank is none. */
    public static Optional<AuthToken> of(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(new AuthToken(value.strip()));
    }

    public String value() {
        return value;
    }

    /** Writes the token into the session directory, readable and writable by its owner only. */
    public void writeTo(Path sessionDir) {
        Path file = sessionDir.resolve(FILE);
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, value + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cluster's auth token to " + file + ": " + e.getMessage(), e);
        }
    }

    /** The token in a session directory, if it has one that can be read. */
    public static Optional<AuthToken> readFrom(Path sessionDir) {
        return readFile(sessionDir.resolve(FILE));
    }

    private static Optional<AuthToken> readFile(Path file) {
        try {
            return of(Files.readString(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The token a client of the node at {@code sonde://host:port} presents: {@code SONDE_AUTH_TOKEN},
     * else the file {@code SONDE_AUTH_TOKEN_PATH} names, else the token of the running cluster at
     * that address in the user's session root; empty when none is found (the node then refuses,
     * saying how to get one).
     */
    public static Optional<AuthToken> find(String host, int port) {
        Optional<AuthToken> env = of(System.getenv(ENV));
        if (env.isPresent()) {
            return env;
        }
        String path = System.getenv(PATH_ENV);
        if (path != null && !path.isBlank()) {
            return readFile(Path.of(path));
        }
        String address = "sonde://" + host + ":" + port;
        String loopback = "sonde://127.0.0.1:" + port;
        for (SessionDir.Running r : SessionDir.running()) {
            if (r.address().equals(address) || (isLoopback(host) && r.address().equals(loopback))) {
                return readFrom(r.sessionDir());
            }
        }
        return Optional.empty();
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1");
    }

    /** Presents the token on every call of a channel. */
    public ClientInterceptor client() {
        String header = BEARER + value;
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        headers.put(HEADER, header);
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    /**
     * Checks the token of every call to the node's services, in constant time; a call without it
     * or with another one is closed with {@code UNAUTHENTICATED}, and {@code log} is told the peer.
     */
    public ServerInterceptor server(Consumer<String> log) {
        byte[] expected = (BEARER + value).getBytes(StandardCharsets.US_ASCII);
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                String got = headers.get(HEADER);
                byte[] presented = got == null ? new byte[0] : got.getBytes(StandardCharsets.US_ASCII);
                if (MessageDigest.isEqual(expected, presented)) {
                    return next.startCall(call, headers);
                }
                Object peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
                log.accept("refused a call to " + call.getMethodDescriptor().getFullMethodName() + " from " + peer
                        + ": " + (got == null ? "it carried no auth token" : "its auth token is wrong"));
                call.close(Status.UNAUTHENTICATED.withDescription(refusal(got == null)), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
        };
    }

    /** What a refused client is told: what was wrong, and how to get the token. */
    static String refusal(boolean missing) {
        return (missing ? "this Sonde cluster requires an auth token and the call carried none"
                : "the auth token of the call is not this Sonde cluster's")
                + ". The cluster's owner gets it with `sonde get-auth-token` (it is in the session directory's "
                + FILE + " file, readable by that user only); give it to this client in " + ENV
                + " or name its file in " + PATH_ENV + ".";
    }
}

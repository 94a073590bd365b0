package io.sonde.tooling;

import io.sonde.internal.cluster.SessionDir;

import java.nio.file.Path;
import java.util.List;

/**
 * The session directories of the clusters of this machine, read side: where they live and which
 * clusters run now. The CLI finds a cluster here when no {@code --address} names one.
 * Stateless; every call reads the file system anew.
 */
public final class SessionDirs {
    private SessionDirs() {
    }

    /**
     * A cluster that runs in some process and says where it answers.
     *
     * @param pid        the process that runs the cluster (a driver, the shell, a head)
     * @param address    where its node answers, {@code sonde://host:port}
     * @param sessionDir its session directory
     */
    public record Running(long pid, String address, Path sessionDir) {
    }

    /**
     * Where sessions and the head's address file live, private to the user: the system property
     * {@code sonde.root} if set, else {@code $XDG_RUNTIME_DIR/sonde}, else {@code $TMPDIR/sonde-UID}.
     */
    public static Path root() {
        return SessionDir.root();
    }

    /** The clusters under {@link #root()} whose process is alive, newest first. */
    public static List<Running> running() {
        return SessionDir.running().stream()
                .map(r -> new Running(r.pid(), r.address(), r.sessionDir()))
                .toList();
    }

    /**
     * The auth token a client of the cluster at {@code address} presents ({@code SONDE_AUTH_TOKEN},
     * else {@code SONDE_AUTH_TOKEN_PATH}'s file, else the running cluster's own under
     * {@link #root()}); empty when none can be read here.
     *
     * @throws IllegalArgumentException if {@code address} is not a Sonde address
     */
    public static java.util.Optional<String> authToken(String address) {
        io.sonde.internal.SondeRuntime.HostPort hp = io.sonde.internal.SondeRuntime.HostPort.parse(address);
        return io.sonde.internal.cluster.AuthToken.find(hp.host(), hp.port()).map(io.sonde.internal.cluster.AuthToken::value);
    }
}

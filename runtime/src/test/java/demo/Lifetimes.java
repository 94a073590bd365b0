package demo;

import io.sonde.proto.ActorInfo;
import io.sonde.testing.SondeCluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What the actor lifetime tests share: another driver of the test's cluster, the journals, the actor list. */
final class Lifetimes {
    private Lifetimes() {
    }

    static String read(String file) throws IOException {
        Path p = Path.of(file);
        return Files.exists(p) ? Files.readString(p) : "";
    }

    static ActorInfo actor(SondeCluster cluster, String actorId) {
        return cluster.nodeManager().listActors().stream().filter(a -> a.getActorId().equals(actorId)).findFirst()
                .orElseThrow(() -> new AssertionError("actor " + actorId + " is not listed"));
    }

    /** Starts another driver of the cluster: {@link LifetimeActors#main} with {@code args}. */
    static Process start(SondeCluster cluster, String... args) throws IOException {
        return start(cluster, LifetimeActors.class, args);
    }

    /** Starts another driver of the cluster: {@code main}'s main with the cluster's address, then {@code args}. */
    static Process start(SondeCluster cluster, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dsonde.root=" + cluster.root().resolve("other-driver"), "-cp", System.getProperty("java.class.path"),
                main.getName(), cluster.address()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SONDE_AUTH_TOKEN_PATH",
                cluster.nodeManager().config().sessionDir().resolve("auth_token").toString());
        return pb.start();
    }

    /** Runs another driver of the cluster to its end; returns its output. */
    static String otherDriver(SondeCluster cluster, String... args) throws Exception {
        return outputOf(start(cluster, args));
    }

    /** Runs another driver of the cluster, {@code main}, to its end; returns its output. */
    static String otherDriver(SondeCluster cluster, Class<?> main, String... args) throws Exception {
        return outputOf(start(cluster, main, args));
    }

    /** Waits for the driver's end; returns its output. */
    static String outputOf(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}

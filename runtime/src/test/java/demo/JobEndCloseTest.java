package demo;

import demo.LifetimeActors.Journal;
import io.sonde.ActorDiedException;
import io.sonde.ActorHandle;
import io.sonde.ActorLifetime;
import io.sonde.ObjectRef;
import io.sonde.Sonde;
import io.sonde.proto.ActorInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static demo.Lifetimes.read;
import static io.sonde.testing.Processes.alive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A driver's exit, by shutdown or by its process dying, ends its actors as terminate() would:
 * their close() runs.
 */
class JobEndCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    /** For the class: an actor ended after its test (its close() writing here) finds its directory. */
    @TempDir
    static Path dir;

    private static String journal(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void aDriversExitClosesItsActors() throws Exception {
        String shutdown = journal("shutdown");
        String killed = journal("killed");
        // two other drivers at once: one shuts down, one is killed
        Process byShutdown = Lifetimes.start(cluster, "owner", shutdown);
        Process byKill = Lifetimes.start(cluster, "owner", killed, "stay");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(byKill.getInputStream(),
                StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = out.readLine()) != null && !line.contains("owner's actor answered")) {
                lines.add(line);
            }
            assertThat(line).as(String.join("\n", lines)).isEqualTo("owner's actor answered 1");
            byKill.destroyForcibly(); // its connection closes without a goodbye
            assertThat(byKill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Lifetimes.outputOf(byShutdown)).contains("owner's actor answered 1");
        await().atMost(WAIT).until(() -> read(shutdown).equals("closed after 1\n"));
        await().atMost(WAIT).until(() -> read(killed).equals("closed after 1\n"));
    }
}

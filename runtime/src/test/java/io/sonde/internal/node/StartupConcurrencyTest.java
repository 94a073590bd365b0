package io.sonde.internal.node;

import io.sonde.internal.node.worker.WorkerPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node starts at most {@link WorkerPool#MAX_STARTUP_CONCURRENCY} worker JVMs at once for actors
 * (as Ray's maximum_startup_concurrency): hundreds of actors created at once would otherwise start
 * hundreds of JVMs on a few cores, which starve each other and the node past their registration
 * deadline. The others wait in the queue, and start as the starting ones say hello.
 */
class StartupConcurrencyTest {
    private static final int MAX = WorkerPool.MAX_STARTUP_CONCURRENCY;

    @TempDir
    Path dir;

    @Test
    void actorsBeyondTheLimitWaitForAStartingWorkersHello() {
        try (FakeNode n = FakeNode.withWorkers(2, dir, FakeWorkerLauncher.Start.SILENT)) {
            // the job's first worker is starting already (silent: it never says hello by itself)
            n.workers.worker(0);
            for (int i = 0; i < MAX + 3; i++) {
                n.driver.submit(n.driver.actor("A" + i).setNumCpus(0));
            }
            // that first worker and MAX - 1 actors' workers, and no more while none says hello
            await().atMost(Duration.ofSeconds(5)).until(() -> n.workers.launched().size() == MAX);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> n.workers.launched().size() == MAX);

            n.workers.worker(1).hello(n.node);

            // one fewer starting: one more actor starts its worker, and again only one
            await().atMost(Duration.ofSeconds(5)).until(() -> n.workers.launched().size() == MAX + 1);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> n.workers.launched().size() == MAX + 1);
        }
    }
}

package io.sonde;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code Sonde.shutdown()} ends the driver's waits: nothing waits for a cluster that is gone. */
class ShutdownTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aGetWithoutTimeoutInAnotherThreadEndsWhenTheDriverShutsDown() {
        Sonde.init(new InitOptions().numCpus(1));
        ObjectRef<Integer> sleeper = Sonde.task(() -> {
            Thread.sleep(60_000);
            return 0;
        }).name("sleeper").remote();
        CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                Sonde.get(sleeper);
                return null;
            } catch (SondeException e) {
                return e;
            }
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> taskRunning(sleeper));
        Sonde.shutdown();
        await().atMost(Duration.ofSeconds(30)).until(waiter::isDone);
        assertThat(waiter.join()).isInstanceOf(SondeException.class).hasMessageContaining("shut down");
    }

    private static boolean taskRunning(ObjectRef<?> ref) {
        return io.sonde.internal.SondeRuntime.embeddedNode().nodeManager().listTasks().stream()
                .anyMatch(t -> t.getTaskId().equals(ref.id()) && t.getState().name().equals("RUNNING"));
    }
}

package io.sonde;

import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A failure that no get reads is printed at the driver when its last ref goes, as Ray's
 * "Unhandled error": the program would never learn of it otherwise. One that was read is not.
 * What must not be lost: the failure's text.
 */
class UnhandledErrorsTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream saved;

    public static final class Account {
        public int withdraw(int amount) {
            throw new IllegalStateException("insufficient funds for " + amount);
        }
    }

    @BeforeEach
    void captureStandardError() {
        saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStandardError() {
        System.setErr(saved);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Submits and forgets: the ref is garbage as soon as this returns. */
    private static void fireAndForget(String name) {
        Sonde.task(() -> 10 / (name.length() - name.length())).name(name).remote();
    }

    @Test
    void aFailedTaskWhoseRefIsDroppedUnreadIsReportedOnce() {
        fireAndForget("forgotten");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            System.gc();
            return err().contains("Unhandled error (suppress with SONDE_IGNORE_UNHANDLED_ERRORS=1): ");
        });
        assertThat(err()).contains("task forgotten").contains("ArithmeticException");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> {
            System.gc();
            return err().split("task forgotten", -1).length == 2;
        });
    }

    @Test
    void aFailedActorCallWhoseRefIsDroppedUnreadIsReported() {
        ActorHandle<Account> a = Sonde.actor(Account::new).remote();
        ObjectRef<Integer> first = a.task(Account::withdraw, 5).remote();
        assertThatThrownBy(() -> Sonde.get(first)).isInstanceOf(TaskException.class); // read: handled
        a.task(Account::withdraw, 7).remote(); // never read
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            System.gc();
            return err().contains("insufficient funds for 7");
        });
        assertThat(err()).contains("Unhandled error").doesNotContain("insufficient funds for 5");
        Sonde.kill(a);
    }

    @Test
    void aFailureThatWasReadIsNotReportedWhenItsRefGoes() {
        readAndDrop();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return !err().contains("task read-once");
        });
    }

    private static void readAndDrop() {
        ObjectRef<Integer> r = Sonde.task(() -> Integer.parseInt("x")).name("read-once").remote();
        assertThatThrownBy(() -> Sonde.get(r)).isInstanceOf(TaskException.class);
    }
}

package io.sonde;

import io.sonde.proto.TaskInfo;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.sonde.testing.Processes.alive;
import static io.sonde.testing.Processes.kill9;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class FailureModelTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    static int divide(int x) {
        return 10 / x;
    }

    /** Kills its own worker with SIGKILL, as the OOM killer would. */
    static int dieBySigkill() throws Exception {
        long pid = ProcessHandle.current().pid();
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        Thread.sleep(60_000);
        return -1;
    }

    @Test
    void applicationFailureCarriesTheUsersExceptionAndWhereItRan() {
        ObjectRef<Integer> r = Sonde.task(FailureModelTest::divide, 0).name("divide").remote();
        assertThatThrownBy(() -> Sonde.get(r))
                .isInstanceOf(TaskException.class)
                .hasMessageStartingWith("task divide (pid=")
                .hasMessageContaining("node=127.0.0.1")
                .hasMessageContaining("java.lang.ArithmeticException: / by zero")
                .cause()
                .isInstanceOf(ArithmeticException.class)
                .hasMessage("/ by zero")
                .satisfies(cause -> assertThat(cause.getStackTrace())
                        .anyMatch(f -> f.getMethodName().equals("divide")
                                && f.getClassName().equals(FailureModelTest.class.getName())));
    }

    @Test
    void taskWhoseArgumentFailedFailsWithThatSameError() {
        ObjectRef<Integer> bad = Sonde.task(FailureModelTest::divide, 0).name("divide").remote();
        ObjectRef<Integer> next = Sonde.task((Integer x) -> x + 1, bad).name("next").remote();
        assertThatThrownBy(() -> Sonde.get(next))
                .isInstanceOf(TaskException.class)
                .hasMessageStartingWith("task divide (pid=")
                .hasCauseInstanceOf(ArithmeticException.class);
    }

    @Test
    void retryExceptionsRetriesApplicationFailuresUntilOneSucceeds() {
        ObjectRef<Integer> r = Sonde.task(() -> {
            int attempt = Sonde.context().attemptNumber();
            if (attempt < 2) {
                throw new IOException("flaky " + attempt);
            }
            return attempt;
        }).retryExceptions(List.of(IOException.class)).maxRetries(3).remote();
        assertThat(Sonde.get(r)).isEqualTo(2);
    }

    @Test
    void exceptionsAreNotRetriedByDefault() {
        ObjectRef<?> r = Sonde.task(() -> {
            throw new IllegalStateException("attempt " + Sonde.context().attemptNumber());
        }).remote();
        assertThatThrownBy(() -> Sonde.get(r)).hasCauseInstanceOf(IllegalStateException.class)
                .cause().hasMessage("attempt 0");
    }

    @Test
    void workerKilledMidTaskIsRetriedOnANewWorkerAndSucceeds(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("pid");
        String path = pidFile.toString();
        ObjectRef<Integer> r = Sonde.task(() -> {
            if (Sonde.context().attemptNumber() == 0) {
                Files.writeString(Path.of(path), Long.toString(ProcessHandle.current().pid()));
                Thread.sleep(60_000);
            }
            return Sonde.context().attemptNumber();
        }).name("victim").remote();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isEmpty());
        long pid = Long.parseLong(Files.readString(pidFile));
        kill9(pid);
        assertThat(Sonde.get(r, Duration.ofSeconds(60))).isEqualTo(1);
        assertThat(alive(pid)).isFalse();
        assertThat(cluster.taskInfo(r)).hasValueSatisfying(t -> {
            assertThat(t.getState()).isEqualTo(TaskInfo.State.FINISHED);
            assertThat(t.getAttempt()).isEqualTo(1);
        });
    }

    @Test
    void workerCrashAfterRetriesRanOutExplainsExitSignalCausesAndLog() {
        ObjectRef<Integer> r = Sonde.task(FailureModelTest::dieBySigkill).name("doomed").maxRetries(1).remote();
        assertThatThrownBy(() -> Sonde.get(r, Duration.ofSeconds(60)))
                .isInstanceOf(WorkerCrashedException.class)
                .hasMessageContaining("task doomed")
                .hasMessageContaining("attempt 1")
                .hasMessageContaining("exit code 137")
                .hasMessageContaining("SIGKILL")
                .hasMessageContaining("OOM killer")
                .hasMessageContaining("not by Sonde")
                .hasMessageContaining("Worker exit type: UNEXPECTED_SYSTEM_EXIT")
                .hasMessageContaining("maxRetries=1")
                .hasMessageMatching("(?s).*The worker's log: .*/logs/worker-.*\\.err.*");
        assertThat(cluster.taskInfo(r)).hasValueSatisfying(t -> {
            assertThat(t.getState()).isEqualTo(TaskInfo.State.FAILED);
            assertThat(t.getErrorType()).isEqualTo("WorkerCrashedException");
        });
    }

    @Test
    void nonSerializableExceptionStillArrivesWithClassMessageAndStack() {
        ObjectRef<?> r = Sonde.task(() -> {
            throw new HoldsAThread("kept a thread");
        }).remote();
        assertThatThrownBy(() -> Sonde.get(r))
                .isInstanceOf(TaskException.class)
                .cause()
                .hasToString(HoldsAThread.class.getName() + ": kept a thread");
    }

    static final class HoldsAThread extends RuntimeException {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("unused")
        private final Thread thread = new Thread(() -> { });

        HoldsAThread(String message) {
            super(message);
        }
    }

    @Test
    void usingSondeBeforeInitSaysHowToStart() {
        // in a worker Sonde is always initialized; the driver path is covered by the message itself
        assertThat(Sonde.isInitialized()).isTrue();
        assertThatThrownBy(() -> Sonde.init()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already initialized");
    }
}

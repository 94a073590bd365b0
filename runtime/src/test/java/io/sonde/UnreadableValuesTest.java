package io.sonde;

import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.lang.invoke.MethodHandles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Values and failures that a worker can send but the caller cannot deserialize: their story
 * (which task, where it ran, what it threw) still reaches the caller, as text.
 *
 * <p>A class "only on the worker" is compiled here in memory and defined on the worker by the
 * task itself, so the driver, which never defines it, cannot resolve it.
 */
class UnreadableValuesTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2);

    private static final String FAILURE = "io.sonde.WorkerOnlyFailure";
    private static final String VALUE = FAILURE + "$Value";
    private static final MemoryProgram WORKER_ONLY = MemoryProgram.compile(FAILURE, String.join("\n",
            "package io.sonde;",
            "public class WorkerOnlyFailure extends RuntimeException {",
            "    public WorkerOnlyFailure(String message) { super(message); }",
            "    public static final class Value implements java.io.Serializable {",
            "        public final int n = 7;",
            "    }",
            "}"));

    /** Defines the class from its bytes in the calling worker, next to this test class. */
    static Class<?> defineHere(byte[] bytecode) throws IllegalAccessException {
        return MethodHandles.lookup().defineClass(bytecode);
    }

    static int throwWorkerOnly(byte[] failure) throws Exception {
        Class<?> c = defineHere(failure);
        throw (RuntimeException) c.getConstructor(String.class).newInstance("the disk is full");
    }

    @Test
    void failureWhoseExceptionClassExistsOnlyOnTheWorkerStillTellsTaskPidMessageAndStack() {
        byte[] failure = WORKER_ONLY.bytecode(FAILURE);
        ObjectRef<Integer> r = Sonde.task(UnreadableValuesTest::throwWorkerOnly, failure).name("writer").remote();
        assertThatThrownBy(() -> Sonde.get(r))
                .isInstanceOf(TaskException.class)
                .hasMessageStartingWith("task writer (pid=")
                .hasMessageContaining("node=127.0.0.1")
                .hasMessageContaining("failed: " + FAILURE + ": the disk is full")
                .hasMessageContaining("cannot be deserialized here")
                .hasMessageContaining("class " + FAILURE + " of a received value is not on this process's classpath")
                .hasMessageContaining("remote stack trace:")
                .hasMessageContaining("at " + UnreadableValuesTest.class.getName() + ".throwWorkerOnly(UnreadableValuesTest.java:")
                .cause().isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void failureWhoseReadObjectThrowsAtTheCallerStillTellsItsStory() {
        ObjectRef<?> r = Sonde.task(() -> {
            throw new FailsToRead("worker-side detail");
        }).name("reader").remote();
        assertThatThrownBy(() -> Sonde.get(r))
                .isInstanceOf(TaskException.class)
                .hasMessageStartingWith("task reader (pid=")
                .hasMessageContaining("failed: " + FailsToRead.class.getName() + ": worker-side detail")
                .hasMessageContaining("reading it threw java.lang.IllegalStateException: refuses to be read")
                .hasMessageContaining("at " + UnreadableValuesTest.class.getName() + ".lambda$")
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("refuses to be read");
    }

    static Object makeWorkerOnlyValue(byte[] value) throws Exception {
        return defineHere(value).getConstructor().newInstance();
    }

    @Test
    void resultWhoseClassCannotBeReadNamesItsTaskAndTheClass() {
        byte[] value = WORKER_ONLY.bytecode(VALUE);
        ObjectRef<Object> r = Sonde.task(UnreadableValuesTest::makeWorkerOnlyValue, value).name("maker").remote();
        assertThatThrownBy(() -> Sonde.get(r))
                .isInstanceOf(SondeException.class)
                .hasMessageStartingWith("the value returned by task maker (pid=")
                .hasMessageContaining("node=127.0.0.1")
                .hasMessageContaining("cannot be read here: class " + VALUE + " of a received value is not on");
    }

    @Test
    void readableFailuresStillArriveAsTheUsersException() {
        ObjectRef<?> r = Sonde.task(() -> {
            throw new IllegalArgumentException("plain");
        }).name("plain").remote();
        assertThatThrownBy(() -> Sonde.get(r)).isInstanceOf(TaskException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("plain");
        assertThat(Sonde.get(Sonde.task(() -> 41 + 1).remote())).isEqualTo(42);
    }

    /** Serializes on the worker, but refuses to be deserialized anywhere. */
    static final class FailsToRead extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FailsToRead(String message) {
            super(message);
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            throw new IllegalStateException("refuses to be read");
        }
    }
}

package io.sonde.internal.worker;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

class JvmInDoubtTest {
    @Test
    void errorsThatLeaveTheJvmInDoubtRetireTheWorkerEvenAsACause() {
        assertThat(JvmInDoubt.why(new OutOfMemoryError("Java heap space")))
                .hasValue("java.lang.OutOfMemoryError: Java heap space");
        assertThat(JvmInDoubt.why(new ExecutionException(new InternalError("boom")))).hasValue("java.lang.InternalError: boom");
        assertThat(JvmInDoubt.why(new ExceptionInInitializerError("static init"))).isPresent();
        assertThat(JvmInDoubt.why(new NoClassDefFoundError("com/example/Gone"))).isPresent();
    }

    @Test
    void aStackOverflowAndOrdinaryExceptionsKeepTheWorker() {
        assertThat(JvmInDoubt.why(new StackOverflowError())).isEmpty();
        assertThat(JvmInDoubt.why(new IllegalStateException("app", new RuntimeException()))).isEmpty();
        RuntimeException loop = new RuntimeException();
        RuntimeException other = new RuntimeException(loop);
        loop.initCause(other);
        assertThat(JvmInDoubt.why(other)).isEmpty();
    }
}

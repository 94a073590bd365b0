package io.sonde.internal.worker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The prefix an actor's prints carry: its own toString(), kept to one short line, or its class name. */
class ActorLabelTest {
    static final class Plain {
    }

    record Named(String name) {
    }

    static final class Wordy {
        @Override
        public String toString() {
            return "line one\nline two " + "x".repeat(200);
        }
    }

    static final class Throws {
        @Override
        public String toString() {
            throw new IllegalStateException("not ready");
        }
    }

    static final class Blank {
        @Override
        public String toString() {
            return "  ";
        }
    }

    @Test
    void aClassWithoutItsOwnToStringKeepsItsName() {
        assertThat(TaskExecutor.label(new Plain())).isNull();
    }

    @Test
    void anOverriddenToStringIsTheLabel() {
        assertThat(TaskExecutor.label(new Named("cache"))).isEqualTo("Named[name=cache]");
    }

    @Test
    void aLongOrMultiLineToStringIsOneShortLine() {
        String label = TaskExecutor.label(new Wordy());
        assertThat(label).startsWith("line one line two xxx").doesNotContain("\n").hasSize(80).endsWith("…");
    }

    @Test
    void aToStringThatThrowsOrSaysNothingFallsBackToTheClassName() {
        assertThat(TaskExecutor.label(new Throws())).isNull();
        assertThat(TaskExecutor.label(new Blank())).isNull();
    }
}

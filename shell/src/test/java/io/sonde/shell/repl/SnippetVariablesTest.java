package io.sonde.shell.repl;

import io.sonde.testing.SondeCluster;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Top-level variables reach a task's worker: the ones its code reads, at their current values. */
class SnippetVariablesTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(2).logToDriver(false);

    private static ShellEngine engine;

    @BeforeAll
    static void start() {
        engine = ShellEngine.start(new ByteArrayInputStream(new byte[0]), System.out, System.err);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static SnippetEvent last(String snippet) {
        List<SnippetEvent> events = engine.eval(snippet);
        return events.get(events.size() - 1);
    }

    @Test
    void aTaskSeesTheCurrentValueOfTheVariablesItReads() {
        last("int base = 5;");
        assertThat(last("get(task((Integer x) -> x + base, 1).remote())").value()).isEqualTo("6");
        last("base = 7;");
        assertThat(last("get(task((Integer x) -> x + base, 1).remote())").value()).isEqualTo("8");
        last("int addBase(int x) { return x + base; }");
        assertThat(last("get(task(() -> List.of(1, 2).stream().map(i -> addBase(i)).toList()).remote())").value())
                .isEqualTo("[8, 9]");
    }

    @Test
    void aVariableTheTaskDoesNotReadStaysInTheDriverEvenWhenItCannotBeSent() {
        last("Thread keeper = new Thread();");
        SnippetEvent e = last("(keeper != null) + \" \" + get(task(() -> 40 + 2).remote())");
        assertThat(e.exception()).isNull();
        assertThat(e.value()).isEqualTo("\"true 42\"");
    }

    @Test
    void aVariableTheTaskReadsButCannotBeSentIsNamed() {
        last("Thread worker = new Thread();");
        SnippetEvent e = last("task(() -> worker.getName()).remote()");
        assertThat(e.exception()).isNotNull();
        assertThat(e.exception().getMessage()).contains("shell variable 'worker'").contains("java.lang.Thread");
    }

    @Test
    void recordsTypedAtThePromptTravelBothWays() {
        last("record Point(int x, int y) {}");
        assertThat(last("get(task((Point p) -> new Point(p.y(), p.x()), new Point(1, 2)).remote())").value())
                .isEqualTo("Point[x=2, y=1]");
    }
}

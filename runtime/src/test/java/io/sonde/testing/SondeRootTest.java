package io.sonde.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SondeRoot}'s lifecycle, seen from test classes run on JUnit's launcher. */
class SondeRootTest {
    /** Roots and {@code sonde.root} values the classes below saw, in the order they saw them. */
    static final List<Path> roots = new CopyOnWriteArrayList<>();
    static final List<String> properties = new CopyOnWriteArrayList<>();

    static void see(SondeRoot root) {
        roots.add(root.path());
        properties.add(System.getProperty(SondeRoot.PROPERTY));
    }

    static final class RootPerTest {
        @RegisterExtension
        final SondeRoot root = SondeRoot.temporary();

        @Test
        void one() {
            see(root);
        }

        @Test
        void two() {
            see(root);
        }
    }

    static final class RootPerClass {
        @RegisterExtension
        static final SondeRoot root = SondeRoot.temporary();

        @Test
        void one() {
            see(root);
        }

        @Test
        void two() {
            see(root);
        }
    }

    static final class FailingTest {
        @RegisterExtension
        final SondeRoot root = SondeRoot.temporary();

        @Test
        void fails() {
            see(root);
            throw new AssertionError("on purpose");
        }
    }

    private String before;

    @BeforeEach
    void setUp() {
        roots.clear();
        properties.clear();
        before = System.getProperty(SondeRoot.PROPERTY);
        // a value of the person running the tests, which the fixtures must put back
        System.setProperty(SondeRoot.PROPERTY, "/their/own/root");
    }

    @AfterEach
    void tearDown() {
        if (before == null) {
            System.clearProperty(SondeRoot.PROPERTY);
        } else {
            System.setProperty(SondeRoot.PROPERTY, before);
        }
    }

    @Test
    void anInstanceFieldGivesEachTestANewRootThatSondeRootNamesAndDeletesItAfter() {
        TestExecutionSummary summary = Fixtures.run(RootPerTest.class);

        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(roots).hasSize(2).doesNotHaveDuplicates();
        assertThat(properties).containsExactly(roots.get(0).toString(), roots.get(1).toString());
        assertThat(roots).allSatisfy(r -> assertThat(r).doesNotExist());
        assertThat(System.getProperty(SondeRoot.PROPERTY)).isEqualTo("/their/own/root");
    }

    @Test
    void aStaticFieldGivesTheClassOneRoot() {
        TestExecutionSummary summary = Fixtures.run(RootPerClass.class);

        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(roots).hasSize(2).containsOnly(roots.get(0));
        assertThat(roots.get(0)).doesNotExist();
        assertThat(System.getProperty(SondeRoot.PROPERTY)).isEqualTo("/their/own/root");
    }

    @Test
    void theRootOfAFailedTestIsKeptForItsLogs() throws Exception {
        TestExecutionSummary summary = Fixtures.run(FailingTest.class);

        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        assertThat(roots).hasSize(1);
        assertThat(roots.get(0)).isDirectory();
        assertThat(System.getProperty(SondeRoot.PROPERTY)).isEqualTo("/their/own/root");
        Files.delete(roots.get(0));
    }
}

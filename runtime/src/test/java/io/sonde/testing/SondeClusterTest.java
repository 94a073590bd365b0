package io.sonde.testing;

import io.sonde.Sonde;
import io.sonde.internal.SondeRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SondeCluster}'s lifecycle, seen from a test class run on JUnit's launcher. */
class SondeClusterTest {
    static final String SETTING = "sonde.test.setting";
    static final List<String> seen = new CopyOnWriteArrayList<>();

    static final class WithASetting {
        @RegisterExtension
        static final SondeCluster cluster = SondeCluster.embedded().numCpus(1).property(SETTING, "on");

        @Test
        void runsInItsRootWithItsSetting() {
            seen.add("initialized " + Sonde.isInitialized());
            seen.add("session in root " + Path.of(SondeRuntime.client().info().getSessionDir()).startsWith(cluster.root()));
            seen.add("setting " + System.getProperty(SETTING));
            cluster.property(SETTING, null);
            seen.add("cleared " + System.getProperty(SETTING));
        }
    }

    @Test
    void theClusterRunsInAPrivateRootWithItsSettingsAndLeavesNothingSetBehind() {
        seen.clear();
        System.setProperty(SETTING, "theirs");
        try {
            TestExecutionSummary summary = Fixtures.run(WithASetting.class);

            assertThat(summary.getTestsSucceededCount()).as(summary.getFailures().toString()).isEqualTo(1);
            assertThat(seen).containsExactly("initialized true", "session in root true", "setting on", "cleared null");
            assertThat(Sonde.isInitialized()).isFalse();
            assertThat(System.getProperty(SETTING)).isEqualTo("theirs");
            assertThat(System.getProperty(SondeRoot.PROPERTY)).isNull();
        } finally {
            System.clearProperty(SETTING);
        }
    }
}

package io.sonde;

import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node of 0 CPUs ({@code numCpus(0)}, {@code sonde start --head --num-cpus 0}), as the seed advises
 * for a head that should only coordinate: it runs nothing that needs a CPU, and says so at once
 * rather than let a get wait; what needs none still runs. Zero means zero: only an unset count
 * means all processors.
 */
class ZeroCpuNodeTest {
    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded().numCpus(0);

    static int one() {
        return 1;
    }

    @Test
    void aTaskThatNeedsACpuFailsAtOnceAndSaysWhatToChange() {
        ObjectRef<Integer> r = Sonde.task(ZeroCpuNodeTest::one).name("needs-a-cpu").remote();
        assertThatThrownBy(() -> Sonde.get(r, Duration.ofSeconds(30)))
                .hasMessageContaining("needs-a-cpu")
                .hasMessageContaining("cannot be scheduled")
                .hasMessageContaining("--num-cpus N");
        assertThat(cluster.nodeManager().status().getNodes(0).getCpusTotal()).isZero();
    }

    @Test
    void whatNeedsNoCpuStillRuns() {
        assertThat(Sonde.get(Sonde.task(ZeroCpuNodeTest::one).numCpus(0).remote(), Duration.ofSeconds(30))).isEqualTo(1);
    }

    @Test
    void anUnsetCountIsAllProcessorsAndZeroIsNone() {
        assertThat(new InitOptions().numCpus()).isEmpty();
        assertThat(new InitOptions().numCpus(0).numCpus()).hasValue(0);
        assertThatThrownBy(() -> new InitOptions().numCpus(-1)).hasMessageContaining("leave it unset for all processors");
    }
}

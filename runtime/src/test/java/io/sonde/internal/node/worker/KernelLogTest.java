package io.sonde.internal.node.worker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Finding the kernel's line on a process it killed for memory. */
class KernelLogTest {
    private static final String LOG = String.join("\n",
            "[ 100.1] java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
            "[ 100.2] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=java,pid=4321,uid=0",
            "[ 100.3] Out of memory: Killed process 4321 (java) total-vm:8000000kB, anon-rss:7000000kB",
            "[ 200.0] Out of memory: Killed process 43210 (java) total-vm:1kB");

    @Test
    void theKilledLineOfThatPidIsFoundAndNoOther() {
        assertThat(KernelLog.find(LOG, 4321)).contains(
                "[ 100.3] Out of memory: Killed process 4321 (java) total-vm:8000000kB, anon-rss:7000000kB");
        assertThat(KernelLog.find(LOG, 432)).isEmpty();
        assertThat(KernelLog.find("[ 5.0] oom-kill:constraint=CONSTRAINT_MEMCG,task=java,pid=77,uid=0", 77))
                .contains("[ 5.0] oom-kill:constraint=CONSTRAINT_MEMCG,task=java,pid=77,uid=0");
    }
}

package io.sonde.profiler.plugin;

import io.sonde.profiler.ProfileSummary;
import io.sonde.profiler.proto.AllocationSites;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The pieces of the driver's notice, and the sites of a live profile read from collapsed stacks. */
class LeakWatchTest {
    @Test
    void theNoticeNamesTheWorkShortlyAndTheTopLiveSiteWithItsShare() {
        assertThat(LeakWatch.workLabel("actor com.example.Cache 'cache'")).isEqualTo("Cache actor 'cache'");
        assertThat(LeakWatch.workLabel("actor Cache")).isEqualTo("Cache actor");
        assertThat(LeakWatch.workLabel("task load")).isEqualTo("task load");
        assertThat(LeakWatch.workLabel("")).isEqualTo("idle");

        AllocationSites sites = ProfileSummary.allocationSites(
                "java.lang.Thread.run;com.example.Cache.put;byte[]_[i] 71\n"
                        + "java.lang.Thread.run;com.example.Cache.put;com.example.Entry_[i] 20\n"
                        + "java.lang.Thread.run;com.example.Log.line;java.lang.String_[k] 9\n",
                "java.lang.Thread.run;com.example.Cache.put;byte[]_[i] 7100\n"
                        + "java.lang.Thread.run;com.example.Cache.put;com.example.Entry_[i] 2000\n"
                        + "java.lang.Thread.run;com.example.Log.line;java.lang.String_[k] 900\n");

        assertThat(LeakWatch.topSite(sites, "alloc")).isEqualTo("live allocations: Cache.put 71% (byte[])");
        assertThat(sites.getBytes()).isEqualTo(10_000);
        assertThat(sites.getObjects()).isEqualTo(100);
        assertThat(sites.getByMethod(0).getMethod()).isEqualTo("com.example.Cache.put");
        assertThat(sites.getByMethod(0).getBytes()).isEqualTo(9100);
        assertThat(sites.getByMethod(0).getObjects()).isEqualTo(91);
        assertThat(sites.getByClass(0).getType()).isEqualTo("byte[]");
        assertThat(sites.getByClass(1).getType()).isEqualTo("com.example.Entry");
        assertThat(LeakWatch.topSite(AllocationSites.getDefaultInstance(), "nativemem"))
                .isEqualTo("no live native allocations sampled in the profile");
    }
}

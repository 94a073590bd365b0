package io.sonde.profiler;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The summary read from async-profiler's collapsed stacks. */
class ProfileSummaryTest {
    @Test
    void topFramesBySelfWithTheirTotal() {
        String collapsed = "Main.main;Work.spin 80\nMain.main;Work.spin;Math.sqrt 15\nMain.main;Main.log 5\n";

        String s = ProfileSummary.frames("cpu", collapsed);

        assertThat(s).startsWith("Top frames (cpu, 100 samples):\n");
        assertThat(s.lines().skip(2).findFirst().orElseThrow()).isEqualTo("   80.0%   95.0%        80  Work.spin");
        assertThat(s).contains("   15.0%   15.0%        15  Math.sqrt").contains("    5.0%    5.0%         5  Main.log")
;
        assertThat(s.split("Top methods")[0]).doesNotContain("Main.main"); // no self time: not a top frame
        assertThat(s).contains("Top methods of the program, with their callees:").contains("  100.0%       100  Main.main");
    }

    @Test
    void theProgramsMethodsByTotalLeadToANativeLeaf() {
        String collapsed = "java.lang.Thread.run;io.sonde.internal.worker.TaskExecutor.taskLoop;app.Sums.crc;"
                + "java.util.zip.CRC32.update;updateBytesCRC32 88\njava.lang.Thread.run;app.Sums.main 10\n"
                + "start_thread;msort_with_tmp.part.0 1\nstart_thread;pthread_mutex_lock@@GLIBC_2.2.5 1\n";

        String s = ProfileSummary.frames("cpu", collapsed);

        assertThat(s).contains("   88.0%   88.0%        88  updateBytesCRC32\n")
                .contains("Top methods of the program, with their callees:\n   total   samples  method\n"
                        + "   88.0%        88  app.Sums.crc\n   10.0%        10  app.Sums.main\n")
                .doesNotContain("  io.sonde.internal").doesNotContain("%  java.");
        // native frames with dots in their names are not the program's methods
        assertThat(s.split("Top methods")[0]).contains("msort_with_tmp.part.0");
        assertThat(s.split("Top methods")[1]).doesNotContain("msort").doesNotContain("pthread");
    }

    @Test
    void allocationSitesByBytesAndObjectsWithTheClassOfEach() {
        String samples = "Main.main;Cache.put;byte[]_[i] 3\nMain.main;Log.line;java.lang.String_[k] 7\n";
        String bytes = "Main.main;Cache.put;byte[]_[i] 3145728\nMain.main;Log.line;java.lang.String_[k] 700\n";

        String s = ProfileSummary.sites("alloc, live", samples, bytes);

        assertThat(s).startsWith("Top allocation sites by bytes (alloc, live, 3.0 MB in 10 samples):\n");
        String[] lines = s.split("\n");
        assertThat(lines[2]).isEqualTo("      3.0 MB  100.0%         3  Cache.put (byte[])");
        assertThat(lines[4]).isEqualTo("Top allocation sites by objects (sampled):");
        assertThat(lines[6]).isEqualTo("       700 B   70.0%         7  Log.line (java.lang.String)");
    }

    @Test
    void nativeSitesAreTheCallersOfTheAllocator() {
        String stacks = "Main.main;Buffers.grow;Unsafe_AllocateMemory0;os::malloc;malloc;malloc_hook 4\n";

        String s = ProfileSummary.sites("nativemem", stacks, stacks.replace(" 4", " 4096"));

        assertThat(s).contains("4.0 KB  100.0%         4  Unsafe_AllocateMemory0 (os::malloc)");
    }

    @Test
    void anEmptyProfileSaysWhatToDo() {
        assertThat(ProfileSummary.frames("wall", "")).startsWith("No samples (wall)").contains("Profile longer");
        assertThat(ProfileSummary.sites("alloc", "", "")).contains("give a smaller --interval");
    }
}

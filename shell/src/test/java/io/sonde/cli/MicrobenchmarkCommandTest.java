package io.sonde.cli;

import io.sonde.testing.SondeRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A smoke run only: {@code --quick} proves the metrics run and are reported, not how fast. The
 * default suite runs the metrics whose lines it checks; the {@code stress} Maven profile
 * ({@code -Dsonde.stress.factor} above 1) runs every metric, as {@code sonde microbenchmark --quick} does.
 */
class MicrobenchmarkCommandTest {
    private static final List<String> METRICS = List.of(
            "single_client_tasks_sync", "single_client_tasks_async", "multi_client_tasks_async", "1_1_actor_calls_sync", "1_1_actor_calls_async",
            "single_client_put_calls", "single_client_get_calls", "memcpy_gigabytes", "single_client_put_gigabytes",
            "single_client_get_gigabytes", "spill_gigabytes",
            "worker_cold_start_ms", "idle_worker_rss_mb", "task_retry_after_crash_ms", "grpc_loopback_unary_rtt_us", "auth_check_cost_us",
            "profile_attach_ms", "alloc_profile_overhead_pct");

    @RegisterExtension
    final SondeRoot root = SondeRoot.temporary();

    @Test
    void quickRunReportsEveryMetricInRaysFormatAndAsJson() throws Exception {
        Path json = root.resolve("bench/result.json");

        boolean every = Integer.getInteger("sonde.stress.factor", 1) > 1;
        Cli.Run run = every ? Cli.sonde("microbenchmark", "--quick", "--json", json.toString())
                : Cli.sonde("microbenchmark", "--quick", "--json", json.toString(), "--filter", String.join(",", METRICS));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out())
                .containsPattern("single_client_tasks_sync per second [\\d.]+ \\+- [\\d.]+ +\\([\\d.]+x Ray's 980\\.0\\)")
                .containsPattern("worker_cold_start_ms [\\d.]+ \\+- [\\d.]+")
                .containsPattern("idle_worker_rss_mb [\\d.]+ \\+- [\\d.]+ +\\(RSS - shared [\\d.]+ \\+- [\\d.]+ MB\\)")
                .containsPattern("grpc_loopback_unary_rtt_us [\\d.]+ \\+- [\\d.]+")
                .containsPattern("profile_attach_ms [\\d.]+ \\+- [\\d.]+ +\\(median [\\d.]+ ms of \\d+, max [\\d.]+; the"
                        + " worker's first, which loads async-profiler, [\\d.]+ ms; target under 500 ms\\)")
                .containsPattern("alloc_profile_overhead_pct -?[\\d.]+ \\+- [\\d.]+ +\\(.*sync actor calls/s [\\d.]+ with an"
                        + " alloc profile \\(interval 512k\\), [\\d.]+ without, \\d+ alternated pairs; target under 5%\\)")
                .containsPattern("auth_check_cost_us -?[\\d.]+ \\+- [\\d.]+ +\\(-?[\\d.]+% of a [\\d.]+ us unary call")
                .containsPattern("memcpy_gigabytes per second [\\d.]+ \\+- [\\d.]+")
                .containsPattern("single_client_put_gigabytes per second [\\d.]+ \\+- [\\d.]+ +\\([\\d.]+x Ray's 20\\.00\\)"
                        + " +\\([\\d.]+ of memcpy")
                .containsPattern("single_client_get_gigabytes per second [\\d.]+ \\+- [\\d.]+ +\\([\\d.]+ of memcpy\\)")
                .containsPattern("spill_gigabytes per second [\\d.]+ \\+- [\\d.]+ +\\(spilled bytes / spill time; puts under"
                        + " spilling [\\d.]+ \\+- [\\d.]+ GB/s")
                .doesNotContain("FAILED");
        String text = Files.readString(json).strip();
        assertThat(text).startsWith("{").endsWith("}");
        for (String metric : METRICS) {
            assertThat(run.out()).contains(metric);
            assertThat(text).containsPattern("\"" + metric + "\": [0-9.E-]+");
        }
        for (String metric : List.of("single_client_put_gigabytes", "single_client_get_gigabytes", "spill_gigabytes",
                "memcpy_gigabytes")) {
            Matcher m = Pattern.compile("\"" + metric + "\": ([0-9.E-]+)").matcher(text);
            assertThat(m.find()).as(metric).isTrue();
            assertThat(Double.parseDouble(m.group(1))).as(metric).isPositive();
        }
    }
}

package io.sonde.cli.bench;

import io.sonde.InitOptions;
import io.sonde.Sonde;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Choosing metrics by name, and a metric's note after its figure; no cluster is started. */
class MicrobenchmarkFilterTest {
    private static final InitOptions CLUSTER = new InitOptions().logToDriver(false);

    @Test
    void aFilterThatMatchesNothingSaysWhichMetricsThereAreAndStartsNothing() {
        assertThat(Microbenchmark.filterWords(" debugger_, notice ,,")).containsExactly("debugger_", "notice");
        assertThat(Microbenchmark.filterWords(null)).isEmpty();
        StringWriter text = new StringWriter();

        List<Microbenchmark.Result> none = new Microbenchmark(Plan.quick(), CLUSTER, CoreMetrics.all(CLUSTER),
                List.of("no_such_metric")).run(new PrintWriter(text, true));

        assertThat(none).isEmpty();
        assertThat(Sonde.isInitialized()).isFalse();
        assertThat(text.toString()).contains("No metric's name contains no_such_metric (SONDE_BENCH_FILTER)")
                .contains("single_client_tasks_sync").contains("worker_cold_start_ms");
    }

    @Test
    void aNoteFollowsTheFigure() {
        Metric plain = Metric.of("plain_ms", false, Double.NaN, plan -> null);
        Metric noted = new Metric() {
            @Override
            public String name() {
                return "noted_ms";
            }

            @Override
            public boolean perSecond() {
                return false;
            }

            @Override
            public double rayFigure() {
                return Double.NaN;
            }

            @Override
            public Measurement measure(Plan plan) {
                return null;
            }

            @Override
            public String note() {
                return "target < 300 ms";
            }
        };
        Measurement m = Measurement.of(new double[] {10, 12});

        assertThat(Microbenchmark.line(new Microbenchmark.Result(plain, m, null))).isEqualTo("plain_ms 11.00 +- 1.41");
        assertThat(Microbenchmark.line(new Microbenchmark.Result(noted, m, null)))
                .isEqualTo("noted_ms 11.00 +- 1.41   (target < 300 ms)");
    }
}

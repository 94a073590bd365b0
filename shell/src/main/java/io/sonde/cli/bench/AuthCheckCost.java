package io.sonde.cli.bench;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.sonde.tooling.AuthTokens;
import io.sonde.tooling.NodeChannels;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code auth_check_cost_us}: what the cluster's token check adds to one call. The 16-byte unary
 * echo of {@code grpc_loopback_unary_rtt_us} on two servers in this JVM, one plain and one behind
 * the node's own check ({@link AuthTokens#server}, its client presenting the token with
 * {@link AuthTokens#client}); each round alternates batches on the two, so a change of the
 * machine's load between them cancels out, and the figure is the round's difference of the mean
 * call times.
 *
 * <p>This is the whole cost the check can have on {@code single_client_tasks_sync}: tasks, actor
 * calls, puts and gets travel on the driver's one {@code Connect} stream, which the node checks
 * once, when the stream opens. No task pays a check.
 */
final class AuthCheckCost implements Metric {
    private Measurement plainCall;
    private Measurement last;

    @Override
    public String name() {
        return "auth_check_cost_us";
    }

    @Override
    public Measurement measure(Plan plan) throws Exception {
        List<String> refused = new CopyOnWriteArrayList<>();
        String token = AuthTokens.generate();
        Server plain = GrpcLoopbackRtt.echoServer();
        Server checked = GrpcLoopbackRtt.echoServer(AuthTokens.server(token, refused::add));
        ManagedChannel toPlain = NodeChannels.open("127.0.0.1", plain.getPort());
        ManagedChannel toChecked = NodeChannels.open("127.0.0.1", checked.getPort());
        Channel presenting = ClientInterceptors.intercept(toChecked, AuthTokens.client(token));
        try {
            alternate(plan.warmup().toNanos(), plan.batch(), toPlain, presenting);
            double[] cost = new double[plan.timedRounds()];
            double[] call = new double[plan.timedRounds()];
            for (int i = 0; i < cost.length; i++) {
                double[] us = alternate(plan.round().toNanos(), plan.batch(), toPlain, presenting);
                call[i] = us[0];
                cost[i] = us[1] - us[0];
            }
            if (!refused.isEmpty()) {
                throw new IllegalStateException(name() + ": the check refused the calls that carried its token: " + refused.get(0));
            }
            plainCall = Measurement.of(call);
            last = Measurement.of(cost);
            return last;
        } finally {
            toChecked.shutdownNow();
            GrpcLoopbackRtt.close(toPlain, plain);
            checked.shutdownNow();
        }
    }

    /** Batches on each channel in turn for {@code nanos}; the mean µs per call of each, plain first. */
    private static double[] alternate(long nanos, int batch, Channel plain, Channel checked) {
        long[] time = new long[2];
        long[] calls = new long[2];
        Channel[] channels = {plain, checked};
        long end = System.nanoTime() + nanos;
        for (int turn = 0; System.nanoTime() < end || calls[1] == 0; turn ^= 1) {
            long t0 = System.nanoTime();
            calls[turn] += GrpcLoopbackRtt.echo(channels[turn], batch);
            time[turn] += System.nanoTime() - t0;
        }
        return new double[] {time[0] / 1e3 / calls[0], time[1] / 1e3 / calls[1]};
    }

    @Override
    public String note() {
        Measurement cost = last;
        Measurement call = plainCall;
        if (cost == null || call == null) {
            return "";
        }
        String note = String.format(Locale.ROOT, "%.1f%% of a %s us unary call", 100 * cost.mean() / call.mean(),
                Microbenchmark.number(call.mean()));
        if (Math.abs(cost.mean()) < 2 * cost.stddev()) {
            note += "; within the noise: under 2 stddev from 0";
        }
        return note + "; sync tasks pay none: they ride the driver's one Connect stream, checked once when it opens";
    }
}

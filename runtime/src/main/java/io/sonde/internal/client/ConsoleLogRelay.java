package io.sonde.internal.client;

import io.sonde.internal.logs.LogDeduplicator;
import io.sonde.internal.logs.LogLine;
import io.sonde.internal.logs.LogPrefix;
import io.sonde.proto.LogBatch;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Prints relayed worker output at the driver: {@code (square pid=1234) hello}, stdout lines to
 * one sink and stderr lines to another, deduplicated across workers unless
 * {@code SONDE_DEDUP_LOGS=0}. Batches are handed to one printing thread, so transport threads
 * never wait on a slow terminal and the lines of one worker stay in order.
 */
public final class ConsoleLogRelay implements LogRelay {
    private static final Duration WINDOW = Duration.ofSeconds(5);

    private final ScheduledExecutorService printer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sonde-log-printer");
        t.setDaemon(true);
        return t;
    });
    private final LogDeduplicator out;
    private final LogDeduplicator err;
    private final String localIp;
    private final LogPrefix prefix;
    private final Consumer<String> stdout;

    /**
     * @param localIp the driver's node ip: workers elsewhere get {@code , node=<ip>} in their prefix
     */
    public ConsoleLogRelay(Consumer<String> stdout, Consumer<String> stderr, boolean colour, String localIp) {
        boolean dedup = LogDeduplicator.enabledFromEnvironment(System.getenv());
        this.prefix = new LogPrefix(colour);
        this.stdout = stdout;
        java.util.concurrent.atomic.AtomicBoolean hinted = new java.util.concurrent.atomic.AtomicBoolean();
        this.out = new LogDeduplicator(dedup, WINDOW, System::nanoTime, stdout, prefix, hinted);
        this.err = new LogDeduplicator(dedup, WINDOW, System::nanoTime, stderr, prefix, hinted);
        this.localIp = localIp;
        printer.scheduleWithFixedDelay(() -> {
            out.flush(false);
            err.flush(false);
        }, 500, 500, TimeUnit.MILLISECONDS);
    }

    /** Prints to System.out / System.err, coloured when both are a terminal. */
    public static ConsoleLogRelay toConsole(String localIp) {
        boolean colour = System.console() != null && System.getenv("NO_COLOR") == null
                && !"dumb".equals(System.getenv("TERM"));
        return new ConsoleLogRelay(System.out::println, System.err::println, colour, localIp);
    }

    @Override
    public void accept(LogBatch batch) {
        // the node's own lines (pid 0) always name it; a worker's only when it is on another node
        String node = batch.getNodeIp().equals(localIp) && batch.getPid() != 0 ? "" : batch.getNodeIp();
        try {
            printer.execute(() -> {
                LogDeduplicator d = batch.getStderr() ? err : out;
                for (String text : batch.getLinesList()) {
                    d.accept(new LogLine(batch.getWorkerId(), batch.getTaskName(), batch.getPid(), node,
                            batch.getStderr(), text));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the driver is shutting down; lines arriving after close() are dropped
        }
    }

    @Override
    public void notice(String taskName, long pid, String nodeIp, String text) {
        String node = nodeIp.equals(localIp) ? "" : nodeIp;
        try {
            printer.execute(() -> stdout.accept(prefix.format(new LogLine("notice", taskName, pid, node, false, text))));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // shutting down
        }
    }

    @Override
    public void close() {
        printer.execute(() -> {
            out.flush(true);
            err.flush(true);
        });
        printer.shutdown();
        try {
            printer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

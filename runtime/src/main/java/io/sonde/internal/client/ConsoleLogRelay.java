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
 *
 * <p>While the driver is stopped at a breakpoint the lines are held ({@link #hold}): kept in order
 * on the printing thread, up to {@value #MAX_HELD_LINES} lines, and printed when it goes on; lines
 * past that bound are counted, and a notice then says how many were not shown and where they are.
 * Notices print at once, held or not.
 */
public final class ConsoleLogRelay implements LogRelay {
    private static final Duration WINDOW = Duration.ofSeconds(5);
    /** The most lines held while the driver is stopped; the rest are counted, not kept. */
    static final int MAX_HELD_LINES = 10_000;

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
    // Read and written on the printing thread only.
    private int holds;
    private final java.util.ArrayDeque<Runnable> held = new java.util.ArrayDeque<>();
    private int heldLines;
    private long notShown;

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
            if (holds == 0) {
                out.flush(false);
                err.flush(false);
            }
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
        Runnable print = () -> {
            LogDeduplicator d = batch.getStderr() ? err : out;
            for (String text : batch.getLinesList()) {
                d.accept(new LogLine(batch.getWorkerId(), batch.getTaskName(), batch.getPid(), node,
                        batch.getStderr(), text));
            }
        };
        try {
            printer.execute(() -> {
                if (holds == 0) {
                    print.run();
                } else if (heldLines + batch.getLinesCount() <= MAX_HELD_LINES) {
                    held.add(print);
                    heldLines += batch.getLinesCount();
                } else {
                    notShown += batch.getLinesCount();
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
    public java.util.concurrent.CompletableFuture<Void> hold(boolean hold) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        try {
            printer.execute(() -> {
                if (hold) {
                    holds++;
                } else if (holds > 0 && --holds == 0) {
                    release();
                }
                done.complete(null);
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            done.complete(null); // shutting down: close() printed what was held
        }
        return done;
    }

    /** On the printing thread: prints the held lines in order, then says how many did not fit. */
    private void release() {
        Runnable r;
        while ((r = held.poll()) != null) {
            r.run();
        }
        heldLines = 0;
        if (notShown > 0) {
            stdout.accept(prefix.format(new LogLine("notice", "sonde", 0, "", false, notShown + " more lines of the"
                    + " workers' output came while this driver was stopped at a breakpoint, past the " + MAX_HELD_LINES
                    + " held for it, and are not shown here; they are in the workers' log files (logs/worker-*.out"
                    + " and .err in the session directory of their node)")));
            notShown = 0;
        }
    }

    @Override
    public void close() {
        printer.execute(() -> {
            holds = 0;
            release();
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

package io.sonde.internal.node.worker;

import io.sonde.internal.logs.ExitReport;
import io.sonde.internal.logs.LogLine;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies one of a worker's output streams, line by line, to its log file and to the driver.
 *
 * <p>The worker writes a marker line {@code :task_name:NAME} on both streams when a task starts;
 * the pump keeps it in the file (so the file tells which task printed what) and uses it to
 * prefix the lines that follow. Stdout lines the {@link WorkerOutput} consumes (the JDWP agent's
 * banner) stay in the file only, and so do the lines of the worker's exit report on stderr
 * ({@link ExitReport}), which the pump keeps for the node. Reading goes on until end of stream,
 * so nothing a worker printed before it exited is lost. One thread per stream; lines read together go as one batch.
 */
final class LogPump extends Thread {
    private static final String TASK_MARKER = LogLine.TASK_MARKER;
    private static final int MAX_BATCH = 512;

    private final WorkerHandle worker;
    private final boolean stderr;
    private final InputStream in;
    private final Path file;
    private final WorkerOutput output;
    private volatile String taskName = "worker";
    /** The exit report's lines read so far; guarded by itself. */
    private final List<String> exitLines = new ArrayList<>();

    LogPump(WorkerHandle worker, boolean stderr, InputStream in, Path file, WorkerOutput output) {
        super("sonde-log-" + worker.workerId() + (stderr ? "-err" : "-out"));
        setDaemon(true);
        this.worker = worker;
        this.stderr = stderr;
        this.in = in;
        this.file = file;
        this.output = output;
    }

    @Override
    public void run() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
             BufferedWriter log = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            List<String> batch = new ArrayList<>();
            String line;
            while ((line = reader.readLine()) != null) {
                do {
                    log.write(line);
                    log.newLine();
                    if (line.startsWith(TASK_MARKER)) {
                        send(batch);
                        taskName = line.substring(TASK_MARKER.length());
                    } else if (stderr && line.startsWith(ExitReport.PREFIX)) {
                        synchronized (exitLines) {
                            exitLines.add(line);
                        }
                    } else {
                        batch.add(line);
                    }
                } while (batch.size() < MAX_BATCH && reader.ready() && (line = reader.readLine()) != null);
                log.flush();
                send(batch);
            }
        } catch (IOException e) {
            // the stream closes when the process dies; what was read has been written and sent
        }
    }

    private void send(List<String> batch) {
        if (!batch.isEmpty()) {
            output.lines(worker, stderr, taskName, List.copyOf(batch));
            batch.clear();
        }
    }

    /** The lines of the worker's exit report read so far (complete once the stream ended). */
    List<String> exitLines() {
        synchronized (exitLines) {
            return List.copyOf(exitLines);
        }
    }

    String taskName() {
        return taskName;
    }
}

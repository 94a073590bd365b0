package io.sonde.internal.node;

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
 * prefix the lines that follow. Reading goes on until end of stream, so nothing a worker
 * printed before it exited is lost. One thread per stream; lines read together go as one batch.
 */
final class LogPump extends Thread {
    static final String TASK_MARKER = ":task_name:";
    private static final int MAX_BATCH = 512;

    /** Receives batches of lines; called on the pump's thread. */
    interface Forwarder {
        void forward(WorkerProcess worker, boolean stderr, String taskName, List<String> lines);
    }

    private final WorkerProcess worker;
    private final boolean stderr;
    private final InputStream in;
    private final Path file;
    private final Forwarder forwarder;
    private volatile String taskName = "worker";

    LogPump(WorkerProcess worker, boolean stderr, InputStream in, Path file, Forwarder forwarder) {
        super("sonde-log-" + worker.workerId + (stderr ? "-err" : "-out"));
        setDaemon(true);
        this.worker = worker;
        this.stderr = stderr;
        this.in = in;
        this.file = file;
        this.forwarder = forwarder;
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
            forwarder.forward(worker, stderr, taskName, List.copyOf(batch));
            batch.clear();
        }
    }

    String taskName() {
        return taskName;
    }
}

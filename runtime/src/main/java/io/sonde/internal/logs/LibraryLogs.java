package io.sonde.internal.logs;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Keeps the stack traces of the libraries under Sonde (gRPC, Netty) out of the user's terminal:
 * a broken connection makes them log tens of lines that say nothing the user can act on, next to
 * the one message Sonde prints about it. They go to a log file of the process instead, for whoever
 * debugs Sonde itself.
 *
 * <p>Leaves logging alone when the program configured {@code java.util.logging} itself (a config
 * file or class is set). Thread-safe; the first call wins.
 */
public final class LibraryLogs {
    private static final String[] LOGGERS = {"io.grpc", "io.grpc.netty.shaded.io.netty"};
    /** Held so the loggers and their handlers are not collected (java.util.logging keeps weak references). */
    private static final Logger[] held = new Logger[LOGGERS.length];
    private static volatile Path file;

    private LibraryLogs() {
    }

    /** Sends the libraries' log records to {@code logFile} (created with its directory), not to stderr. */
    public static synchronized void routeTo(Path logFile) {
        if (file != null || System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        Handler handler;
        try {
            Files.createDirectories(logFile.getParent());
            handler = new FileHandler(logFile.toString(), true);
            handler.setFormatter(new SimpleFormatter());
        } catch (IOException | RuntimeException e) {
            return; // cannot write there: the libraries keep logging to stderr, as before
        }
        for (int i = 0; i < LOGGERS.length; i++) {
            Logger l = Logger.getLogger(LOGGERS[i]);
            l.setUseParentHandlers(false);
            l.addHandler(handler);
            l.setLevel(Level.INFO);
            held[i] = l;
        }
        file = logFile;
    }

    /** Where the libraries log, once {@link #routeTo} took effect. */
    public static java.util.Optional<Path> file() {
        return java.util.Optional.ofNullable(file);
    }

    /** Appends a line, and a throwable's whole stack when there is one, to the log file, when there is one; best effort. */
    public static void record(String what, Throwable t) {
        Path f = file;
        if (f == null) {
            return;
        }
        StringWriter text = new StringWriter();
        text.append(Instant.now().toString()).append(' ').append(what).append('\n');
        if (t != null) {
            t.printStackTrace(new PrintWriter(text));
        }
        try {
            Files.writeString(f, text.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException ignored) {
            // the log is a help for debugging Sonde, not part of the failure
        }
    }
}

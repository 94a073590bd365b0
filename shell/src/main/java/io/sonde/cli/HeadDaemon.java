package io.sonde.cli;

import io.sonde.cli.table.Units;
import io.sonde.tooling.HostedNode;
import io.sonde.tooling.SessionDirs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CountDownLatch;

/**
 * The process {@code sonde start --head} leaves running: a head and node manager serving on
 * 127.0.0.1 until {@code sonde stop} (the Stop RPC) or a signal ends it. It announces itself
 * through {@link HeadFiles} and takes them away again on the way out, so that a stale address
 * file only survives a SIGKILL.
 *
 * <p>Arguments: {@code --port P} (0: any free port), {@code --num-cpus N} (0: none; absent: all processors),
 * {@code --memory BYTES} (the node's memory budget; absent: its cgroup's or the machine's),
 * {@code --out FILE} (where the CLI sent this process's output; linked into the session directory).
 */
public final class HeadDaemon {
    private HeadDaemon() {
    }

    public static void main(String[] args) {
        int port = 6380;
        int cpus = -1;
        long memory = 0;
        Path out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--num-cpus" -> cpus = Integer.parseInt(args[i + 1]);
                case "--memory" -> memory = Long.parseLong(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> {
                    System.err.println("HeadDaemon: unknown argument " + args[i] + "; start the head with `sonde start --head`");
                    System.exit(2);
                }
            }
        }
        long pid = ProcessHandle.current().pid();
        HeadFiles files = new HeadFiles(SessionDirs.root());
        HostedNode node;
        try {
            // The Stop RPC has already stopped the workers when this runs; the hook below does the rest.
            node = HostedNode.start(port, cpus, memory, () -> System.exit(0));
        } catch (RuntimeException e) {
            System.err.println(now() + " Sonde head failed to start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            files.removeIfOwnedBy(pid);
            node.close();
            System.out.println(now() + " Sonde head stopped");
        }, "sonde-head-exit"));
        if (out != null) {
            linkInto(out, node.sessionDir().resolve("head.out"));
        }
        files.write(node.address(), pid);
        System.out.println(now() + " Sonde head serving at " + node.address() + " (pid " + pid + ", "
                + Units.cpus(node.cpus()) + " CPUs, session directory " + node.sessionDir() + ")");
        try {
            new CountDownLatch(1).await(); // gRPC's threads are daemons: this one keeps the JVM alive
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A hard link keeps the session's copy whole after the next head reuses the root's head.out. */
    private static void linkInto(Path out, Path link) {
        try {
            Files.createLink(link, out);
        } catch (IOException | UnsupportedOperationException e) {
            try {
                Files.createSymbolicLink(link, out);
            } catch (IOException | UnsupportedOperationException ignored) {
                // only a convenience: the root's head.out stays the place to look
            }
        }
    }

    private static String now() {
        return LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
    }
}

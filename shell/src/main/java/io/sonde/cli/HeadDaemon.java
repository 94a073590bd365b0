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
 * {@code --object-store-memory BYTES} (absent: 30% of the node's memory),
 * {@code --object-spilling-directory DIR} (absent: {@code <session>/spill}),
 * {@code --out FILE} (where the CLI sent this process's output; linked into the session directory).
 */
public final class HeadDaemon {
    private HeadDaemon() {
    }

    /**
     * The daemon's arguments, as {@link StartCommand} writes them (sizes in plain bytes, paths absolute).
     *
     * @param port              where to listen; 0 for any free port
     * @param cpus              CPUs to hand out; -1 for all processors
     * @param memory            the node's memory budget; 0 for none
     * @param objectStoreMemory bytes of the object store; 0 for its default share
     * @param spillDir          where the object store spills; null for {@code <session>/spill}
     * @param out               where the CLI sent this process's output; null if nowhere known
     */
    record Args(int port, int cpus, long memory, long objectStoreMemory, Path spillDir, Path out) {
        /**
         * @throws IllegalArgumentException an argument this daemon does not know, or a value it cannot read
         */
        static Args parse(String[] args) {
            int port = 6380;
            int cpus = -1;
            long memory = 0;
            long objectStoreMemory = 0;
            Path spillDir = null;
            Path out = null;
            for (int i = 0; i + 1 < args.length; i += 2) {
                switch (args[i]) {
                    case "--port" -> port = Integer.parseInt(args[i + 1]);
                    case "--num-cpus" -> cpus = Integer.parseInt(args[i + 1]);
                    case "--memory" -> memory = Long.parseLong(args[i + 1]);
                    case "--object-store-memory" -> objectStoreMemory = Long.parseLong(args[i + 1]);
                    case "--object-spilling-directory" -> spillDir = Path.of(args[i + 1]);
                    case "--out" -> out = Path.of(args[i + 1]);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            return new Args(port, cpus, memory, objectStoreMemory, spillDir, out);
        }
    }

    public static void main(String[] argv) {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("HeadDaemon: " + e.getMessage() + "; start the head with `sonde start --head`");
            System.exit(2);
            return;
        }
        Path out = args.out();
        long pid = ProcessHandle.current().pid();
        HeadFiles files = new HeadFiles(SessionDirs.root());
        HostedNode node;
        try {
            // The Stop RPC has already stopped the workers when this runs; the hook below does the rest.
            node = HostedNode.start(args.port(), args.cpus(), args.memory(), args.objectStoreMemory(), args.spillDir(),
                    () -> System.exit(0));
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
        System.out.println(now() + " Object store: " + Units.bytes(node.objectStoreCapacity()) + ", spilling to "
                + node.objectSpillingDirectory());
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

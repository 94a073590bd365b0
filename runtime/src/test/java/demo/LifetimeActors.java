package demo;

import io.sonde.ActorHandle;
import io.sonde.ActorLifetime;
import io.sonde.InitOptions;
import io.sonde.Sonde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The actors of the actor lifetime tests ({@link ActorScopeTest} and its neighbours), and the other driver they start: a user's program,
 * outside Sonde's packages.
 */
public final class LifetimeActors {
    private LifetimeActors() {
    }

    /** Appends what happens to it to a file: the test reads the file, not the worker's output. */
    public static final class Journal implements AutoCloseable {
        private final String file;
        private int n;

        public Journal(String file) {
            this.file = file;
        }

        public int work(long millis) throws InterruptedException {
            Thread.sleep(millis);
            return ++n;
        }

        public long pid() {
            return ProcessHandle.current().pid();
        }

        @Override
        public void close() {
            if (!Files.isDirectory(Path.of(file).getParent())) {
                return; // an actor of an earlier test, ended after its directory went
            }
            try {
                Files.writeString(Path.of(file), "closed after " + n + "\n", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Another driver of the cluster at {@code args[0]}, as {@code args[1]} says:
     * <ul>
     * <li>{@code detached <journal>}: creates the detached actor 'keeper' in namespace 'shared', calls it once, leaves;</li>
     * <li>{@code lookup}: in namespace 'shared', calls the actor 'counter' it finds there and looks for 'private';</li>
     * <li>{@code owner <journal> <stay>}: creates a non-detached actor, calls it once, says so, then
     *     shuts down, or with {@code stay} waits to be killed.</li>
     * <li>{@code embedded <journal>}: the same in a cluster of its own ({@code args[0]} is ignored), then shuts it down.</li>
     * </ul>
     */
    public static void main(String[] args) throws Exception {
        switch (args[1]) {
            case "detached" -> {
                Sonde.init(new InitOptions().address(args[0]));
                ActorHandle<Journal> keeper = Sonde.actor(Journal::new, args[2]).name("keeper").namespace("shared")
                        .lifetime(ActorLifetime.DETACHED).remote();
                System.out.println("keeper answered " + Sonde.get(keeper.task(Journal::work, 0L).remote()));
                Sonde.shutdown();
            }
            case "lookup" -> {
                Sonde.init(new InitOptions().address(args[0]).namespace("shared"));
                Optional<ActorHandle<Journal>> counter = Sonde.getActor("counter");
                System.out.println("counter answered " + Sonde.get(counter.orElseThrow().task(Journal::work, 0L).remote()));
                System.out.println("private " + (Sonde.getActor("private").isPresent() ? "found" : "absent"));
                Sonde.shutdown();
            }
            case "owner" -> {
                Sonde.init(new InitOptions().address(args[0]));
                ActorHandle<Journal> a = Sonde.actor(Journal::new, args[2]).remote();
                System.out.println("owner's actor answered " + Sonde.get(a.task(Journal::work, 0L).remote()));
                if (args.length > 3) {
                    Thread.sleep(Long.MAX_VALUE); // killed by the test
                }
                Sonde.shutdown();
            }
            case "embedded" -> {
                Sonde.init(new InitOptions().numCpus(1));
                ActorHandle<Journal> a = Sonde.actor(Journal::new, args[2]).remote();
                System.out.println("embedded actor answered " + Sonde.get(a.task(Journal::work, 0L).remote()));
                Sonde.shutdown();
            }
            default -> throw new IllegalArgumentException(args[1]);
        }
    }
}

package io.sonde.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A private Sonde root for tests: a new temporary directory that {@code sonde.root} names while it
 * lives, so the tests neither find nor disturb a head, session or address file of the person
 * running them, of another test class or of another build on the machine. For tests of the CLI
 * that need no cluster of their own; a {@link SondeCluster} has one of these inside.
 *
 * <pre>{@code
 * @RegisterExtension
 * final SondeRoot root = SondeRoot.temporary();          // one per test
 * @RegisterExtension
 * static final SondeRoot root = SondeRoot.temporary();   // one for the test class
 * }</pre>
 *
 * <p>Lifecycle: in a {@code static} field the root lives from {@code beforeAll} to
 * {@code afterAll} of the class, in an instance field from {@code beforeEach} to
 * {@code afterEach} of each test. It is created under {@code $TMPDIR} (else
 * {@code java.io.tmpdir}); at the end {@code sonde.root} is put back as it was and the directory
 * is deleted, unless a test failed: then it is kept, with the session logs in it, and its path
 * printed.
 *
 * <p>Threading: set up and torn down on JUnit's thread; {@link #path()} may be read from any.
 */
public final class SondeRoot implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        TestWatcher {
    static final String PROPERTY = "sonde.root";

    private final FixtureScope scope = new FixtureScope();
    private final PropertyScope properties = new PropertyScope();
    private volatile Path path;

    private SondeRoot() {
    }

    /** A root that does not exist yet: it is created when its scope begins. */
    public static SondeRoot temporary() {
        return new SondeRoot();
    }

    /** The directory {@code sonde.root} names now. */
    public Path path() {
        Path p = path;
        if (p == null) {
            throw new IllegalStateException("the private Sonde root exists only while its tests run: register it with"
                    + " @RegisterExtension and read it from a test or a @BeforeAll/@BeforeEach method");
        }
        return p;
    }

    /**
     * Runs {@code body} with {@code sonde.root} at a new empty directory, as a client of another
     * account would: it finds none of this root's session files, so neither its clusters' tokens.
     */
    public <T> T withoutSessionFiles(java.util.concurrent.Callable<T> body) throws Exception {
        Path other = Files.createTempDirectory(Path.of(tmpDir()), "sonde-stranger-");
        String saved = System.getProperty(PROPERTY);
        System.setProperty(PROPERTY, other.toString());
        try {
            return body.call();
        } finally {
            if (saved == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, saved);
            }
            delete(other);
        }
    }

    /** {@code path().resolve(other)}. */
    public Path resolve(String other) {
        return path().resolve(other);
    }

    @Override
    public String toString() {
        return String.valueOf(path);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (scope.enter(context)) {
            open(context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (scope.enter(context)) {
            open(context);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (scope.exit(context)) {
            close(scope.failed(context));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (scope.exit(context)) {
            close(scope.failed(context));
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        scope.testFailed();
    }

    /** Creates the directory and points {@code sonde.root} at it. */
    void open(ExtensionContext context) {
        try {
            Path base = Path.of(tmpDir());
            Files.createDirectories(base);
            path = Files.createTempDirectory(base, "sonde-root-" + context.getRequiredTestClass().getSimpleName() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a private Sonde root for the tests", e);
        }
        properties.set(PROPERTY, path.toString());
    }

    /** Puts {@code sonde.root} back, then deletes the directory or, after a failure, says where it is. */
    void close(boolean keep) {
        properties.restore();
        Path p = path;
        path = null;
        if (p == null) {
            return;
        }
        if (keep) {
            System.err.println("Kept the Sonde root of a failed test, with its session logs: " + p);
        } else {
            delete(p);
        }
    }

    /** Where SessionDir puts roots by default: $TMPDIR, so that builds side by side stay apart. */
    private static String tmpDir() {
        String tmp = System.getenv("TMPDIR");
        return tmp == null || tmp.isBlank() ? System.getProperty("java.io.tmpdir") : tmp;
    }

    private static void delete(Path dir) {
        List<Path> all;
        try (Stream<Path> files = Files.walk(dir)) {
            all = files.sorted(Comparator.reverseOrder()).toList();
        } catch (IOException | UncheckedIOException e) {
            return; // left for the system's temp cleaner
        }
        for (Path f : all) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                // a file a stopped process still held: the rest goes, this one stays in the temp dir
            }
        }
    }
}

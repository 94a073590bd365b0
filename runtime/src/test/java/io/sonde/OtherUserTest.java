package io.sonde;

import io.sonde.testing.OtherUser;
import io.sonde.testing.SondeCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A second local user, as the security issue tried it: a process of another uid on the same
 * machine can neither read the cluster's session files (its token, its logs) nor run anything on
 * it. The test creates that user with {@code useradd} and runs its commands with {@code runuser};
 * it needs root for that and is skipped, with the reason printed, otherwise.
 *
 * <p>What must not be lost: the cluster's owner keeps it to himself; no call of the other user
 * reaches a worker.
 */
class OtherUserTest {

    @RegisterExtension
    static final SondeCluster cluster = SondeCluster.embedded();

    /** Copies of this JVM's classpath that the other user can read (the originals may sit in a private home). */
    private static Path readableClasspath;

    @BeforeAll
    static void anotherUser() throws Exception {
        OtherUser.requireOrSkip("OtherUserTest");
        readableClasspath = Files.createTempDirectory("sonde-other-user");
        Files.setPosixFilePermissions(readableClasspath, PosixFilePermissions.fromString("rwxr-xr-x"));
        int i = 0;
        // surefire runs tests from a manifest-only jar and names the real classpath here
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classpath.split(File.pathSeparator)) {
            Path from = Path.of(entry);
            if (Files.exists(from)) {
                copyReadable(from, readableClasspath.resolve(i++ + "-" + from.getFileName()));
            }
        }
    }

    @AfterAll
    static void removeCopies() throws IOException {
        if (readableClasspath != null) {
            try (Stream<Path> files = Files.walk(readableClasspath)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theSessionFilesAreClosedToAnotherUser() throws Exception {
        Path session = cluster.hostedNode().sessionDir();
        assertThat(session.resolve("auth_token")).exists();

        for (Path p : List.of(cluster.root(), session, session.resolve("auth_token"), session.resolve("logs"))) {
            OtherUser.Result read = asOtherUser(Files.isDirectory(p) ? List.of("ls", p.toString()) : List.of("cat", p.toString()));
            assertThat(read.exit()).as("the other user reading " + p + ": " + read.output()).isNotZero();
            assertThat(read.output()).contains("Permission denied");
        }
    }

    @Test
    void aDriverOfAnotherUserIsRefusedAndTheNodeSaysFromWhere() throws Exception {
        Path probe = readableClasspath.resolve("Probe.java");
        Files.writeString(probe, """
                public class Probe {
                    public static void main(String[] args) {
                        try {
                            io.sonde.Sonde.init(args[0]);
                            System.out.println("CONNECTED");
                        } catch (RuntimeException e) {
                            System.out.println("REFUSED: " + e.getMessage());
                        }
                        System.exit(0);
                    }
                }
                """);
        Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rw-r--r--"));
        String classpath;
        try (Stream<Path> entries = Files.list(readableClasspath)) {
            classpath = String.join(File.pathSeparator, entries.filter(p -> !p.equals(probe)).map(Path::toString).sorted().toList());
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        java.io.ByteArrayOutputStream nodeLog = new java.io.ByteArrayOutputStream();
        java.io.PrintStream originalErr = System.err;
        System.setErr(new java.io.PrintStream(new AuthTest.TeeStream(originalErr, nodeLog), true, StandardCharsets.UTF_8));
        OtherUser.Result driver;
        try {
            driver = asOtherUser(List.of("env", "-i", "PATH=/usr/bin:/bin", "HOME=/tmp", java, "-cp", classpath,
                    probe.toString(), cluster.address()));
        } finally {
            System.setErr(originalErr);
        }

        assertThat(driver.output()).as("the other user's driver").doesNotContain("CONNECTED")
                .contains("REFUSED").contains("sonde get-auth-token");
        assertThat(cluster.nodeManager().listTasks()).as("nothing of the other user ran").isEmpty();
        assertThat(nodeLog.toString(StandardCharsets.UTF_8)).as("the node's log")
                .containsPattern("refused a call to \\S+ from \\S*127\\.0\\.0\\.1");
    }

    private static OtherUser.Result asOtherUser(List<String> command) throws Exception {
        return OtherUser.run(command, true);
    }

    private static void copyReadable(Path from, Path to) throws IOException {
        if (Files.isDirectory(from)) {
            try (Stream<Path> tree = Files.walk(from)) {
                for (Path p : (Iterable<Path>) tree::iterator) {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                    } else {
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
                    }
                }
            }
        } else {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }
}

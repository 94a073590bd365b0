package io.sonde;

import io.grpc.ManagedChannel;
import io.sonde.internal.SondeRuntime;
import io.sonde.internal.client.CallOptions;
import io.sonde.internal.client.CoreClient;
import io.sonde.proto.NodeManagerGrpc;
import io.sonde.proto.RegisterClient;
import io.sonde.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A node manager that dies under a connected driver: the driver's waits end with a
 * {@link NodeDiedException} that names the node, not with a bare "lost the connection".
 */
class NodeDiedTest {
    private static final String HEAD = String.join("\n",
            "import io.sonde.internal.cluster.LocalNode;",
            "public class Head {",
            "    public static void main(String[] args) throws Exception {",
            "        LocalNode node = LocalNode.start(0, 1, () -> { });",
            "        System.out.println(\"PORT \" + node.port());",
            "        Thread.sleep(Long.MAX_VALUE);",
            "    }",
            "}");

    @Test
    void aDriverWhoseNodeManagerIsKilledGetsNodeDiedExceptionNamingTheNode(@TempDir Path dir) throws Exception {
        Path program = Files.writeString(dir.resolve("Head.java"), HEAD);
        Process head = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dsonde.root=" + dir.resolve("root"), "-cp", System.getProperty("java.class.path"), program.toString()))
                .directory(dir.toFile()).redirectErrorStream(true).start();
        ManagedChannel channel = null;
        try {
            int port = port(head);
            // the head is another process with another session root: its token is read from there
            Path session;
            try (java.util.stream.Stream<Path> sessions = Files.list(dir.resolve("root"))) {
                session = sessions.filter(d -> d.getFileName().toString().startsWith("session_2")).findFirst().orElseThrow();
            }
            channel = SondeRuntime.channel("127.0.0.1", port,
                    io.sonde.internal.cluster.AuthToken.readFrom(session));
            CoreClient driver = new CoreClient(NodeManagerGrpc.newStub(channel)::connect, RegisterClient.newBuilder()
                    .setIsDriver(true).addAllClasspath(Arrays.asList(System.getProperty("java.class.path")
                            .split(File.pathSeparator))).build(), null, null, "127.0.0.1:" + port);
            String nodeId = driver.info().getNodeId();
            CallOptions options = CallOptions.forTask();
            options.name = "sleeper";
            ObjectRef<Integer> r = driver.submitTask((io.sonde.function.SondeFunc0<Integer>) NodeDiedTest::sleep,
                    new Object[0], options);

            Processes.kill9(head.pid());
            Throwable e = catchThrowable(() -> driver.get(r, Duration.ofSeconds(60)));

            assertThat(e).isInstanceOf(NodeDiedException.class)
                    .hasMessageContaining("node " + nodeId)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("died or became unreachable")
                    .hasMessageContaining("sonde status");
            // what an uncaught exception prints: the caller's frames, none of gRPC's or Netty's
            java.io.StringWriter printed = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(printed));
            assertThat(printed.toString()).contains("NodeDiedTest.aDriverWhoseNodeManager")
                    .doesNotContain("at io.grpc.").doesNotContain("netty");
            String causes = printed.toString().contains("Caused by")
                    ? printed.toString().substring(printed.toString().indexOf("Caused by")) : "";
            assertThat(causes).as("the transport's failure keeps its message, its frames are in the log")
                    .doesNotContain("\tat ");
        } finally {
            head.destroyForcibly();
            head.waitFor(10, TimeUnit.SECONDS);
            if (channel != null) {
                channel.shutdownNow();
            }
        }
    }

    static int sleep() throws InterruptedException {
        Thread.sleep(120_000);
        return 0;
    }

    private static int port(Process head) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(head.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
            if (line.startsWith("PORT ")) {
                return Integer.parseInt(line.substring(5).trim());
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the head did not print its port; its output:\n" + seen);
    }
}

package io.sonde.cli;

import io.sonde.testing.SondeRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

class StartFailureTest {
    @RegisterExtension
    final SondeRoot root = SondeRoot.temporary();

    @Test
    void aHeadThatCannotListenIsReportedWithTheTailOfItsOutput() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Cli.Run start = Cli.sonde("start", "--head", "--port", Integer.toString(taken.getLocalPort()));

            assertThat(start.exitCode()).as(start.toString()).isEqualTo(1);
            assertThat(start.err())
                    .contains("The Sonde head exited while starting")
                    .contains("head.out")
                    .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(root.resolve("head_address")).doesNotExist();
        }
    }

    @Test
    void startWithoutHeadIsAUsageError() {
        Cli.Run start = Cli.sonde("start");
        assertThat(start.exitCode()).isEqualTo(2);
        assertThat(start.err()).contains("needs --head");
    }
}

package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.server.config.ConfigException;
import dev.tandem.server.config.ConfigLoader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's command line: which configuration its flags ask for. */
class MainTest {

    @Test
    void theServerListensOnThisMachineOnlyUnlessToldOtherwise() {
        // Given no flags: loopback, as the README's http://localhost:8080 says
        assertThat(Main.configuration(new String[0], Map.of()).server().host()).isEqualTo("127.0.0.1");
        // When the operator exposes it
        assertThat(Main.configuration(new String[] {"--host", "0.0.0.0", "--port", "9000"}, Map.of()).server())
                .satisfies(s -> {
                    assertThat(s.host()).isEqualTo("0.0.0.0");
                    assertThat(s.port()).isEqualTo(9000);
                });
    }

    @Test
    void anUnknownFlagOrAMissingValueIsRefusedByName() {
        assertThatThrownBy(() -> Main.configuration(new String[] {"--hots", "x"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--hots");
        assertThatThrownBy(() -> Main.configuration(new String[] {"--host"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("missing value after --host");
    }

    @Test
    void aPortAlreadyInUseIsOneSentenceThatSaysWhatToDo(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var config = ConfigLoader.load(null, Map.of(), Map.of("server.port", String.valueOf(taken.getLocalPort()),
                    "server.dataDir", dir.toString(), "ledger.database", dir.resolve("t.db").toString()));

            assertThatThrownBy(() -> Tandem.start(config))
                    .isInstanceOf(Tandem.CannotListen.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": Address already in use; another process"
                            + " (another Tandem?) holds the port: choose another with --port or server.port");
        }
    }
}

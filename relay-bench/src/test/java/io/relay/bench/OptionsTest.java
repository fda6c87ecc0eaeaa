package io.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {
    private static final Map<String, String> NO_ENV = Map.of();

    private static Options parse(String... args) {
        return Options.parse(args, NO_ENV);
    }

    @Test
    void defaultsNeedOnlyTheSecret() {
        Options o = parse("--secret", "s3cret");
        assertThat(o.mode()).isEqualTo(Options.Mode.RUN);
        assertThat(o.urls()).containsExactly(URI.create("ws://127.0.0.1:8080/ws"));
        assertThat(o.rooms()).isEqualTo(10);
        assertThat(o.members()).isEqualTo(10);
        assertThat(o.publishers()).isEqualTo(1);
        assertThat(o.rate()).isEqualTo(10.0);
        assertThat(o.payload()).isEqualTo(100);
        assertThat(o.sourceAddresses()).isEmpty();
        assertThat(o.roomPrefix()).startsWith("bench-").endsWith("-");
        assertThat(o.userPrefix()).isEqualTo("bench-");
        assertThat(o.label()).isEqualTo("run");
        assertThat(o.totalConnections()).isEqualTo(110);
    }

    @Test
    void takesSpaceAndEqualsFormsAndTheEnvironmentSecret() {
        Options o = Options.parse(new String[] {"--mode=saturate", "--rooms", "3", "--members=4", "--publishers", "2",
                "--rate", "12.5", "--workload", "W3", "--urls", "ws://a:1/ws, ws://b:2", "--pids", "10,20",
                "--pid-file", "x.pids"}, Map.of("RELAY_JWT_SECRET", "from-env"));
        assertThat(o.mode()).isEqualTo(Options.Mode.SATURATE);
        assertThat(o.secret()).isEqualTo("from-env");
        assertThat(o.rooms()).isEqualTo(3);
        assertThat(o.members()).isEqualTo(4);
        assertThat(o.rate()).isEqualTo(12.5);
        assertThat(o.label()).isEqualTo("W3");
        assertThat(o.urls()).containsExactly(URI.create("ws://a:1/ws"), URI.create("ws://b:2/ws"));
        assertThat(o.pids()).containsExactly(10L, 20L);
        assertThat(o.pidFiles()).containsExactly("x.pids");
        assertThat(o.totalPublishers()).isEqualTo(6);
        assertThat(o.totalConnections()).isEqualTo(18);
    }

    @Test
    void thePeersProtocolsNeedNoSecretAndGetTheirUsualPath() {
        Options sio = parse("--protocol", "socketio", "--urls", "ws://127.0.0.1:7101,ws://127.0.0.1:7102/custom");
        assertThat(sio.protocol()).isEqualTo(Protocol.SOCKETIO);
        assertThat(sio.urls()).containsExactly(URI.create("ws://127.0.0.1:7101/socket.io/?EIO=4&transport=websocket"),
                URI.create("ws://127.0.0.1:7102/custom"));
        Options seed = parse("--protocol", "SeedWS", "--urls", "ws://127.0.0.1:7201");
        assertThat(seed.protocol()).isEqualTo(Protocol.SEEDWS);
        assertThat(seed.urls()).containsExactly(URI.create("ws://127.0.0.1:7201/"));
        assertThat(parse("--secret", "s").protocol()).isEqualTo(Protocol.RELAY);
        assertThatThrownBy(() -> parse("--protocol", "relay")).hasMessageContaining("--secret is required");
        assertThatThrownBy(() -> parse("--protocol", "mqtt")).hasMessageContaining("--protocol 'mqtt'")
                .hasMessageContaining("relay, socketio or seedws");
    }

    @Test
    void idleModeHasNoPublishers() {
        Options o = parse("--secret", "s", "--mode", "idle", "--rooms", "5", "--members", "2", "--publishers", "0");
        assertThat(o.totalPublishers()).isZero();
        assertThat(o.totalConnections()).isEqualTo(10);
    }

    @Test
    void expandsSourceAddressRanges() {
        assertThat(Options.addresses("127.0.0.1-127.0.0.3,10.0.0.9")).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3", "10.0.0.9");
        assertThat(Options.addresses("127.0.0.7-8")).containsExactly("127.0.0.7", "127.0.0.8");
    }

    @Test
    void helpNeedsNothingElse() {
        assertThat(parse("--help").help()).isTrue();
        assertThat(Options.USAGE).contains("--urls", "--source-addresses", "--pid-file", "--p99-limit", "--max-runtime");
    }

    @Test
    void refusesWhatItCannotUseNamingTheFlag() {
        assertThatThrownBy(() -> parse("--secret", "s", "--romos", "3")).hasMessageContaining("unknown option --romos");
        assertThatThrownBy(() -> parse("--secret", "s", "--rooms")).hasMessageContaining("--rooms needs a value");
        assertThatThrownBy(() -> parse("--secret", "s", "--rooms", "many")).hasMessageContaining("--rooms 'many'");
        assertThatThrownBy(() -> parse("--secret", "s", "--rooms", "0")).hasMessageContaining("--rooms must be at least 1");
        assertThatThrownBy(() -> parse("--secret", "s", "--rate", "0")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> parse("--secret", "s", "--mode", "fast")).hasMessageContaining("--mode 'fast'");
        assertThatThrownBy(() -> parse("--secret", "s", "--urls", "http://x/ws")).hasMessageContaining("--urls");
        assertThatThrownBy(() -> parse("--secret", "s", "--rooms", "1", "--rooms", "2")).hasMessageContaining("given twice");
        assertThatThrownBy(() -> parse("--secret", "s", "stray")).hasMessageContaining("unexpected argument 'stray'");
        assertThatThrownBy(() -> parse("--secret", "s", "--room-prefix", "a b")).hasMessageContaining("--room-prefix");
        assertThatThrownBy(() -> parse("--secret", "s", "--publishers", "0")).hasMessageContaining("--publishers");
        assertThatThrownBy(() -> parse("--secret", "s", "--payload", "70000")).hasMessageContaining("--payload");
        assertThatThrownBy(() -> parse("--rooms", "2")).hasMessageContaining("--secret is required");
    }
}

package io.relay.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RELAY_LOG_FORMAT and --log-format become exactly "text" or "json" for logback.xml, flags winning. */
class LogFormatTest {
    private final String before = System.getProperty(LogFormat.PROPERTY);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(LogFormat.PROPERTY);
        } else {
            System.setProperty(LogFormat.PROPERTY, before);
        }
    }

    @Test
    void textUnlessAskedForJson() {
        assertThat(chosen(Map.of(), new String[0])).isEqualTo("text");
        assertThat(chosen(null, null)).isEqualTo("text");
        assertThat(chosen(Map.of("RELAY_LOG_FORMAT", "text"), new String[0])).isEqualTo("text");
        assertThat(chosen(Map.of("RELAY_LOG_FORMAT", " json "), new String[0])).isEqualTo("json");
    }

    @Test
    void theFlagWinsInBothSpellingsAndTheLastOneCounts() {
        Map<String, String> env = Map.of("RELAY_LOG_FORMAT", "text");
        assertThat(chosen(env, new String[] {"--log-format", "json"})).isEqualTo("json");
        assertThat(chosen(env, new String[] {"--port", "9000", "--log-format=json"})).isEqualTo("json");
        assertThat(chosen(Map.of("RELAY_LOG_FORMAT", "json"), new String[] {"--log-format=text"})).isEqualTo("text");
        assertThat(chosen(env, new String[] {"--log-format=json", "--log-format", "text"})).isEqualTo("text");
    }

    @Test
    void aBadValueLogsAsTextUntilTheConfigurationRefusesIt() {
        assertThat(chosen(Map.of("RELAY_LOG_FORMAT", "xml"), new String[0])).isEqualTo("text");
        assertThat(chosen(Map.of("RELAY_LOG_FORMAT", "JSON"), new String[0])).isEqualTo("text");
        assertThat(chosen(Map.of(), new String[] {"--log-format"})).isEqualTo("text");
    }

    private static String chosen(Map<String, String> env, String[] args) {
        LogFormat.choose(env, args);
        return System.getProperty(LogFormat.PROPERTY);
    }
}

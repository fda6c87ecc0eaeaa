package io.relay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relay.testing.RedisServerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The harness's own Redis: a real process on a free port, really gone after stop, empty after restart. */
class RedisServerProcessIT {

    @Test
    void startsOnAFreePortAndStopLeavesNoProcess() {
        RedisServerProcess redis = RedisServerProcess.start();
        long pid;
        try {
            assertThat(redis.port()).isNotEqualTo(6379);
            assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(redis.commands().ping()).isEqualTo("PONG");
            assertThat(redis.commands().configGet("save").get("save")).isEmpty();
            assertThat(redis.commands().configGet("appendonly").get("appendonly")).isEqualTo("no");
            pid = redis.pid();
            assertThat(ProcessHandle.of(pid)).map(ProcessHandle::isAlive).contains(true);
        } finally {
            redis.stop();
        }
        assertThat(redis.isRunning()).isFalse();
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        assertThat(handle.map(ProcessHandle::isAlive).orElse(false)).as("redis pid %d alive after stop", pid).isFalse();
        assertThat(accepts(redis.port())).as("port %d still accepting after stop", redis.port()).isFalse();
        assertThatThrownBy(redis::commands).isInstanceOf(IllegalStateException.class);
        redis.stop(); // idempotent
    }

    @Test
    void restartKeepsThePortAndStartsEmpty() {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            int port = redis.port();
            long pid = redis.pid();
            redis.commands().set("relay-it:probe", "1");
            redis.restart();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.pid()).isNotEqualTo(pid);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(redis.commands().get("relay-it:probe")).isNull();
            assertThat(redis.commands().dbsize()).isZero();
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

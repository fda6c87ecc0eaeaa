package io.relay.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import io.relay.bench.PublishFrame;
import io.relay.model.ClientFrame;
import io.relay.model.FrameCodec;
import io.relay.model.Member;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The protocol codec on the hot path: decoding a client's {@code publish} frame, and encoding the
 * {@code message} frame that goes to every subscriber (prefix made once per publish, completed
 * with the offset Redis assigns). Frames are the load generator's, with a {@code payload}-byte data
 * object.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
    @Param({"100", "1000"})
    public int payload;

    private final FrameCodec codec = new FrameCodec();
    private final Member from = new Member("bench-42", "Bench 42");
    private String publish;
    private JsonNode data;

    @Setup
    public void setUp() {
        publish = PublishFrame.of("bench-room-7", 7, 123_456, System.nanoTime(), payload);
        data = ((ClientFrame.Publish) codec.decode(publish)).data();
    }

    @Benchmark
    public ClientFrame decodePublish() {
        return codec.decode(publish);
    }

    @Benchmark
    public String encodeMessage() {
        String prefix = codec.messagePrefix("bench-room-7", from, data, 1_795_320_218_948L);
        return FrameCodec.completeMessage(prefix, "V2ZCrjVl:18342");
    }
}

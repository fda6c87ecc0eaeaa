package io.relay.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON codec of the protocol. Thread-safe. Decoding is strict: duplicate keys, trailing
 * tokens, deep nesting and huge strings or numbers are refused with {@code bad_request}, so a client
 * cannot smuggle a second {@code type} or make the parser work without bound.
 */
public final class FrameCodec {
    /** Deepest JSON nesting accepted in a client frame (the frame object itself is level 1). */
    public static final int MAX_DEPTH = 32;
    /** Longest JSON string accepted, in characters. */
    public static final int MAX_STRING_LENGTH = 65_536;
    /** Longest JSON number accepted, in characters. */
    public static final int MAX_NUMBER_LENGTH = 100;
    /** Longest idempotency key of a {@code publish}. */
    public static final int MAX_KEY_LENGTH = 64;
    public static final int HISTORY_DEFAULT_LIMIT = 50;
    public static final int HISTORY_MAX_LIMIT = 500;

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // relayed data keeps its numbers exactly: 1e999 stays 1E+999, 1.50 stays 1.50 (not via double)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    public FrameCodec() {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .build());
    }

    /** Decodes one client frame, or throws {@link FrameException} with the code to answer. */
    public ClientFrame decode(String text) {
        return FrameReader.read(parse(text));
    }

    /** Parses JSON text strictly; a malformed text is a {@code bad_request}. */
    public JsonNode parse(String text) {
        try (JsonParser p = mapper.createParser(text)) {
            JsonNode node = mapper.readTree(p);
            if (node == null || node.isMissingNode()) {
                throw new FrameException(ErrorCode.BAD_REQUEST, "empty frame", null);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new FrameException(ErrorCode.BAD_REQUEST, "not valid JSON: " + brief(e.getOriginalMessage()), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Encodes a server frame as JSON text. */
    public String encode(ServerFrame frame) {
        try {
            return mapper.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + frame.type(), e);
        }
    }

    /** Encodes a server frame as UTF-8 bytes. */
    public byte[] encodeToBytes(ServerFrame frame) {
        return encode(frame).getBytes(StandardCharsets.UTF_8);
    }

    /** Encodes any JSON value (a {@code data} payload, say) as text. */
    public String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode value", e);
        }
    }

    /**
     * A room {@code message} frame without its offset: everything up to and including
     * {@code "offset":"}. The offset is only known once Redis has appended the message to the
     * room's history, so the node hands this prefix to Redis, which completes it with
     * {@link #completeMessage} semantics ({@code prefix + offset + "\"}"}) and publishes it.
     */
    public String messagePrefix(String room, Member from, JsonNode data, long ts) {
        StringWriter out = new StringWriter(128);
        // the object stays open on purpose (Redis completes it): closing the generator must not close it,
        // but it must close, or Jackson's 4 KB output buffer is never recycled (9.5 KB of garbage a publish)
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT)) {
            g.writeStartObject();
            g.writeStringField("type", "message");
            g.writeStringField("room", room);
            g.writeFieldName("from");
            mapper.writeValue(g, from);
            g.writeFieldName("data");
            mapper.writeTree(g, data);
            g.writeNumberField("ts", ts);
            g.writeFieldName("offset");
            g.writeRaw(":\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The complete {@code message} frame for a prefix made by {@link #messagePrefix} and its offset. */
    public static String completeMessage(String prefix, String offset) {
        return prefix + offset + "\"}";
    }

    /** The underlying mapper, configured as above; for tests and clients that need trees. */
    public ObjectMapper mapper() {
        return mapper;
    }

    private static String brief(String s) {
        if (s == null) {
            return "malformed";
        }
        String line = s.lines().findFirst().orElse(s);
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }
}

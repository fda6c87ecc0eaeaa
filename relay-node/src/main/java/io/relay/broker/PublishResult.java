package io.relay.broker;

/** Outcome of a publish: the message's offset, and whether an earlier publish with the same key had it. */
public record PublishResult(String offset, boolean duplicate) {
}

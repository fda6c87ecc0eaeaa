package io.relay.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A user as other users see it: the token's {@code sub} and optional display {@code name}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Member(String id, String name) {
    /** The sender of messages published through the server API. {@code $} cannot occur in a user id. */
    public static final Member SERVER = new Member("$server", null);
}

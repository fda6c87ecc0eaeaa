package io.relay.auth;

/**
 * A refused token. The message is short, human and safe to send to the client ("token expired");
 * it never contains the token or any part of it. No stack trace is kept: refusals are routine.
 */
public final class AuthException extends RuntimeException {

    public AuthException(String message) {
        super(message, null, false, false);
    }
}

package org.signalbox.protocol;

import jakarta.json.JsonValue;

/**
 * A decoded client frame: the message and the {@code id} that every answer echoes as {@code ref}.
 *
 * @param ref the frame's valid {@code id}, or null
 */
public record Envelope(Inbound message, JsonValue ref) {}

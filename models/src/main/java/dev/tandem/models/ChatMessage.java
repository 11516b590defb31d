package dev.tandem.models;

import java.util.Objects;

/** One turn of a conversation, as text. Roles: system, user, assistant. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}

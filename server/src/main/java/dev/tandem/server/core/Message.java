package dev.tandem.server.core;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

public record Message(Role role, List<Content> content) {
    public Message {
        Objects.requireNonNull(role, "role");
        content = List.copyOf(content);
    }

    public static Message text(Role role, String text) {
        return new Message(role, List.of(new Content.Text(text)));
    }

    /** The text blocks joined; other blocks ignored. */
    public String text() {
        return content.stream()
                .filter(Content.Text.class::isInstance)
                .map(c -> ((Content.Text) c).text())
                .collect(Collectors.joining());
    }

    public boolean textOnly() {
        return content.stream().allMatch(Content.Text.class::isInstance);
    }
}

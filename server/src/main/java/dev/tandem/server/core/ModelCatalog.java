package dev.tandem.server.core;

import java.util.List;
import java.util.Optional;

/**
 * The model names this server answers to: what {@code /v1/models} lists and what requests are
 * checked against (unknown → 404). The local model alone at first; routing adds remote models and
 * aliases.
 */
@FunctionalInterface
public interface ModelCatalog {

    List<ModelCard> models();

    default Optional<ModelCard> find(String id) {
        return models().stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /** The card of {@code id}, or a 404 that lists what exists. */
    default ModelCard require(String id) {
        return find(id).orElseThrow(() -> new ApiException(ErrorKind.NOT_FOUND,
                "The model '" + id + "' does not exist here. Available: "
                        + String.join(", ", models().stream().map(ModelCard::id).toList()) + ".",
                "model", null, null));
    }
}

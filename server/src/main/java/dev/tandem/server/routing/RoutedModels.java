package dev.tandem.server.routing;

import dev.tandem.server.core.ModelCard;
import dev.tandem.server.core.ModelCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The model names clients may use once routing is in place: the local model's cards, then the
 * aliases and the remote default models (when remote is allowed). Any name with a route passes the
 * edge's check, so that the router answers precisely (403 for a remote model under local-only, a
 * remote model not listed here such as {@code claude-opus-4-1} served as asked).
 */
public final class RoutedModels implements ModelCatalog {
    private final Router router;
    private final Supplier<List<ModelCard>> localCards;

    public RoutedModels(Router router, Supplier<List<ModelCard>> localCards) {
        this.router = router;
        this.localCards = localCards;
    }

    @Override
    public List<ModelCard> models() {
        List<ModelCard> cards = new ArrayList<>(localCards.get());
        List<String> localIds = cards.stream().map(ModelCard::id).toList();
        long created = cards.isEmpty() ? 0 : cards.get(0).createdEpochSeconds();
        for (String id : router.knownModels(localIds)) {
            if (!localIds.contains(id)) {
                cards.add(new ModelCard(id, "tandem", created, null));
            }
        }
        return cards;
    }

    @Override
    public Optional<ModelCard> find(String id) {
        Optional<ModelCard> listed = models().stream().filter(m -> m.id().equals(id)).findFirst();
        if (listed.isPresent() || !router.knows(id)) {
            return listed;
        }
        return Optional.of(new ModelCard(id, "tandem", 0, null));
    }
}

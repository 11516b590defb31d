package dev.tandem.server.core;

/** One model clients may ask for. {@code contextLength} null when unknown. */
public record ModelCard(String id, String ownedBy, long createdEpochSeconds, Integer contextLength) {}

package dev.tandem.models;

/** What is loaded, for /v1/models and logs. */
public record ModelInfo(
        String id, String architecture, int contextLength, int vocabSize, long parameters, String dtype, String device) {}

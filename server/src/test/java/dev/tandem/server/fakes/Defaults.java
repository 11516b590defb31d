package dev.tandem.server.fakes;

import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.TandemConfig;

/** The shipped defaults ({@code tandem-defaults.yaml}, the one place they are written), for tests that build one part. */
public final class Defaults {
    public static final TandemConfig CONFIG = ConfigLoader.defaultsOnly();

    private Defaults() {}
}

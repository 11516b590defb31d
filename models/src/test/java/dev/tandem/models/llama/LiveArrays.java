package dev.tandem.models.llama;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import java.lang.reflect.Field;
import java.util.Map;

/** Counts the native resources (arrays and sub-managers, recursively) attached to a DJL manager. */
public final class LiveArrays {
    private LiveArrays() {}

    public static long count(NDManager manager) {
        try {
            Field f = BaseNDManager.class.getDeclaredField("resources");
            f.setAccessible(true);
            Map<?, ?> resources = (Map<?, ?>) f.get(manager);
            long n = 0;
            for (Object r : resources.values()) {
                n += 1 + (r instanceof NDManager m ? count(m) : 0);
            }
            return n;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}

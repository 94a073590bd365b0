package io.sonde.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * System properties set for a while and then put back as they were: the one place where the test
 * fixtures touch {@code System} properties ({@code sonde.root}, and the settings a
 * {@link SondeCluster} is given).
 *
 * <p>Not thread-safe: JUnit calls the fixtures' callbacks on one thread. System properties are
 * process-wide, which is one more reason the test classes of a module run one after the other.
 */
final class PropertyScope {
    /** Each property's value from before its first {@link #set}; empty when it was not set. */
    private final Map<String, Optional<String>> before = new LinkedHashMap<>();

    /** Sets {@code name} to {@code value}, or clears it when {@code value} is null. */
    void set(String name, String value) {
        before.putIfAbsent(name, Optional.ofNullable(System.getProperty(name)));
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }

    /** Puts every property set since the last restore back as it was, last set first. */
    void restore() {
        List<Map.Entry<String, Optional<String>>> entries = new ArrayList<>(before.entrySet());
        for (int i = entries.size() - 1; i >= 0; i--) {
            String name = entries.get(i).getKey();
            entries.get(i).getValue().ifPresentOrElse(v -> System.setProperty(name, v), () -> System.clearProperty(name));
        }
        before.clear();
    }
}

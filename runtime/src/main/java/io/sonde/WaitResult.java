package io.sonde;

import java.util.List;

/**
 * What {@link Sonde#wait} returns: the refs that are ready (holding a value or a failure) and
 * those that are not, each list in the order the refs were given.
 */
public record WaitResult<T>(List<ObjectRef<T>> ready, List<ObjectRef<T>> unready) {
    public WaitResult {
        ready = List.copyOf(ready);
        unready = List.copyOf(unready);
    }
}

package io.sonde.internal.node.actor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The actors of the node's jobs, by id, in creation order; dead ones stay listed until their job
 * ends, and detached ones that live stay after it. Named actors are registered with the head, not here.
 *
 * <p>Not thread-safe: called by the node manager while it holds its lock.
 */
public final class ActorDirectory {
    private final Map<String, ActorRecord> actors = new LinkedHashMap<>();

    public void add(ActorRecord a) {
        actors.put(a.actorId(), a);
    }

    /** The actor, or null when it never existed here or its job ended. */
    public ActorRecord get(String actorId) {
        return actors.get(actorId);
    }

    public Collection<ActorRecord> all() {
        return actors.values();
    }

    /** Forgets the actors of a job that ended that {@code which} accepts, and returns them. */
    public List<ActorRecord> removeJob(String jobId, java.util.function.Predicate<ActorRecord> which) {
        List<ActorRecord> removed = new ArrayList<>();
        for (Iterator<ActorRecord> it = actors.values().iterator(); it.hasNext(); ) {
            ActorRecord a = it.next();
            if (a.jobId().equals(jobId) && which.test(a)) {
                it.remove();
                removed.add(a);
            }
        }
        return removed;
    }
}

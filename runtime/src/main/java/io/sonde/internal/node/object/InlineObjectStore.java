package io.sonde.internal.node.object;

import io.sonde.proto.ObjectValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Objects kept in the node's heap, travelling inline in messages: every value today, until the
 * shared-memory store takes the large ones.
 *
 * <p>Not thread-safe: called by the node manager while it holds its lock.
 */
public final class InlineObjectStore<C> implements ObjectStore<C> {
    /** An object's value once known, and who waits for it. */
    private static final class Entry<C> {
        ObjectValue value;
        final C owner;
        final List<C> subscribers = new ArrayList<>(1);
        /** Live tasks that take this object as an argument: it is kept for their (re)tries. */
        int taskRefs;
        /** The owner dropped its last ref; the object goes once no task needs it. */
        boolean ownerReleased;
        /** Where it was put or its task submitted, when the client records call sites; else "". */
        String callSite = "";
        /** Kept objects whose value holds a ref to this one. */
        int captured;
        /**
         * Escapes the releases announced, minus those that arrived: above 0, a value or task
         * carrying a ref to it is still on its way (it may come on another stream than the release).
         */
        int pendingEscapes;
        /** Clients that borrowed a ref to it, with how many borrows each; null for none. */
        Map<C, Integer> borrowers;
        /** Freed before its value came: what stands in its place when it comes. */
        ObjectValue freed;

        Entry(C owner) {
            this.owner = owner;
        }
    }

    private final Map<String, Entry<C>> objects = new HashMap<>();
    /** Told of every value forgotten: the shared-memory store frees the bytes of a shared one. */
    private final Consumer<ObjectValue> dropped;
    /** Told the id of every object forgotten because nothing keeps it any more. */
    private Consumer<String> unused = id -> { };

    public InlineObjectStore() {
        this(v -> { });
    }

    /** @param dropped called (under the node's lock) with each value the store forgets; it must only enqueue */
    public InlineObjectStore(Consumer<ObjectValue> dropped) {
        this.dropped = dropped;
    }

    /**
     * {@code listener} is told (under the node's lock) the id of each object forgotten because
     * nothing keeps it any more; it must only enqueue.
     */
    public void onUnused(Consumer<String> listener) {
        this.unused = listener;
    }

    @Override
    public void create(String id, C owner) {
        objects.put(id, new Entry<>(owner));
    }

    @Override
    public boolean contains(String id) {
        return objects.containsKey(id);
    }

    @Override
    public ObjectValue value(String id) {
        Entry<C> e = objects.get(id);
        return e == null ? null : e.value;
    }

    @Override
    public List<C> complete(String id, ObjectValue value) {
        Entry<C> e = objects.get(id);
        return e == null ? null : ready(id, e, value);
    }

    @Override
    public List<C> put(String id, C owner, ObjectValue value) {
        return ready(id, objects.computeIfAbsent(id, k -> new Entry<>(owner)), value);
    }

    private List<C> ready(String id, Entry<C> e, ObjectValue value) {
        if (e.value != null) {
            return null;
        }
        if (e.freed != null) {
            dropped.accept(value); // freed before it came: its bytes go at once
            value = e.freed;
        }
        e.value = value;
        for (String inner : value.getContainedIdsList()) {
            Entry<C> held = objects.get(inner);
            if (held != null) {
                held.captured++;
            }
        }
        List<C> tell = new ArrayList<>(1 + e.subscribers.size());
        if (e.owner != null) {
            tell.add(e.owner);
        }
        tell.addAll(e.subscribers);
        e.subscribers.clear();
        dropIfUnused(id, e);
        return tell;
    }

    @Override
    public void subscribe(String id, C client) {
        Entry<C> e = objects.get(id);
        if (e != null && e.value == null && e.owner != client) {
            e.subscribers.add(client);
        }
    }

    @Override
    public void retain(String id) {
        Entry<C> e = objects.get(id);
        if (e != null) {
            e.taskRefs++;
        }
    }

    @Override
    public void unretain(String id) {
        Entry<C> e = objects.get(id);
        if (e != null) {
            e.taskRefs--;
            dropIfUnused(id, e);
        }
    }

    @Override
    public void release(String id, C owner) {
        Entry<C> e = objects.get(id);
        if (e != null && e.owner == owner) {
            e.ownerReleased = true;
            dropIfUnused(id, e);
        }
    }

    @Override
    public void release(String id, C client, int escapes, boolean borrowed) {
        Entry<C> e = objects.get(id);
        if (e == null) {
            return;
        }
        e.pendingEscapes += escapes;
        if (borrowed) {
            Integer n = e.borrowers == null ? null : e.borrowers.get(client);
            if (n != null) {
                if (n <= 1) {
                    e.borrowers.remove(client);
                } else {
                    e.borrowers.put(client, n - 1);
                }
            }
        } else if (e.owner == client) {
            e.ownerReleased = true;
        }
        dropIfUnused(id, e);
    }

    @Override
    public void escapesArrived(List<String> ids) {
        for (String id : ids) {
            Entry<C> e = objects.get(id);
            if (e != null) {
                e.pendingEscapes--;
                dropIfUnused(id, e);
            }
        }
    }

    @Override
    public void borrow(String id, C client) {
        Entry<C> e = objects.get(id);
        if (e != null) {
            if (e.borrowers == null) {
                e.borrowers = new HashMap<>(2);
            }
            e.borrowers.merge(client, 1, Integer::sum);
        }
    }

    @Override
    public void clientClosed(C client) {
        List<String> lent = new ArrayList<>();
        for (Map.Entry<String, Entry<C>> e : objects.entrySet()) {
            Entry<C> o = e.getValue();
            if (o.borrowers != null && o.borrowers.remove(client) != null) {
                lent.add(e.getKey());
            }
            if (o.owner == client && o.value != null && !o.ownerReleased) {
                // a dead owner holds no ref any more; a pending one keeps its OwnerDiedException
                o.ownerReleased = true;
                lent.add(e.getKey());
            }
        }
        for (String id : lent) {
            Entry<C> e = objects.get(id);
            if (e != null) {
                dropIfUnused(id, e);
            }
        }
    }

    @Override
    public List<String> pendingOwnedBy(Predicate<C> owner) {
        List<String> pending = new ArrayList<>();
        for (Map.Entry<String, Entry<C>> e : objects.entrySet()) {
            if (e.getValue().value == null && e.getValue().owner != null && owner.test(e.getValue().owner)) {
                pending.add(e.getKey());
            }
        }
        return pending;
    }

    @Override
    public Set<String> removeOwnedBy(Predicate<C> owner) {
        Set<String> removed = new HashSet<>();
        List<ObjectValue> values = new ArrayList<>();
        for (Iterator<Map.Entry<String, Entry<C>>> it = objects.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry<C>> e = it.next();
            if (e.getValue().owner != null && owner.test(e.getValue().owner)) {
                it.remove();
                if (e.getValue().value != null) {
                    values.add(e.getValue().value);
                }
                removed.add(e.getKey());
            }
        }
        values.forEach(this::forget); // after the loop: it may drop objects of other owners
        return removed;
    }

    @Override
    public int size() {
        return objects.size();
    }

    /**
     * Forgets an object once it is ready and nothing keeps it: its owner released it, no live task
     * takes it, no kept value holds a ref to it, no other process borrowed one, and every value or
     * task that carried a ref to it has arrived.
     */
    @Override
    public boolean free(String id, ObjectValue failure) {
        Entry<C> e = objects.get(id);
        if (e == null) {
            return false;
        }
        if (e.value == null) {
            e.freed = failure;
            return true;
        }
        ObjectValue old = e.value;
        e.value = failure;
        forget(old);
        return true;
    }

    private void dropIfUnused(String id, Entry<C> e) {
        if (e.ownerReleased && e.taskRefs == 0 && e.value != null && e.captured <= 0 && e.pendingEscapes <= 0
                && (e.borrowers == null || e.borrowers.isEmpty())) {
            objects.remove(id);
            forget(e.value);
            unused.accept(id);
        }
    }

    /** A value is gone: the objects it held refs to may go too. */
    private void forget(ObjectValue value) {
        dropped.accept(value);
        for (String inner : value.getContainedIdsList()) {
            Entry<C> held = objects.get(inner);
            if (held != null) {
                held.captured--;
                dropIfUnused(inner, held);
            }
        }
    }

    @Override
    public List<KeptObject<C>> snapshot() {
        List<KeptObject<C>> all = new ArrayList<>(objects.size());
        for (Map.Entry<String, Entry<C>> e : objects.entrySet()) {
            Entry<C> o = e.getValue();
            all.add(new KeptObject<>(e.getKey(), o.owner, o.value, o.taskRefs, o.ownerReleased, o.callSite,
                    o.captured, o.borrowers == null ? 0 : o.borrowers.size()));
        }
        return List.copyOf(all);
    }

    @Override
    public String callSiteOf(String id) {
        Entry<C> e = objects.get(id);
        return e == null ? "" : e.callSite;
    }

    @Override
    public void callSite(String id, String site) {
        Entry<C> e = objects.get(id);
        if (e != null && site != null && !site.isEmpty()) {
            e.callSite = site;
        }
    }
}

package io.sonde.internal.node.object;

import io.sonde.proto.ObjectValue;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The node's objects: task results and puts, each with its owner (the client that receives it
 * unasked), the clients that subscribed while it was pending, and how long it is kept.
 *
 * <p>An object is kept until its owner released it, it is ready, and no live task takes it as an
 * argument (each such task {@link #retain retains} it for its retries); or until its owner's job
 * ends.
 *
 * <p>Implementations need not be thread-safe: the node manager calls them under its lock.
 *
 * @param <C> the node's clients (owners and subscribers), compared by identity
 */
public interface ObjectStore<C> {
    /** Expects an object that {@code owner} will receive: a task's result, before it is computed. */
    void create(String id, C owner);

    boolean contains(String id);

    /** The object's value or failure; null while it is pending or when it is unknown. */
    ObjectValue value(String id);

    /**
     * Stores the value of a pending object and returns whom to tell: its owner, then the
     * subscribers; null when the object is unknown or was ready already (nothing changes).
     */
    List<C> complete(String id, ObjectValue value);

    /** Stores a value a client put, creating the object with it as owner if needed; as {@link #complete}. */
    List<C> put(String id, C owner, ObjectValue value);

    /** {@code client} learns the value once it is ready (owners always do). The object must exist. */
    void subscribe(String id, C client);

    /** A live task takes the object as an argument: keep it while the task may (re)try. */
    void retain(String id);

    /** A task that retained the object is done. */
    void unretain(String id);

    /** The owner dropped its last ref: the object goes once no task needs it. Others' releases are ignored. */
    void release(String id, C owner);

    /**
     * {@code client} dropped its last ref: as its owner, or as a borrower ({@code borrowed}). It
     * had serialized a ref to it {@code escapes} times: the object stays until as many values or
     * tasks carrying it have arrived ({@link #escapesArrived}), which may come on another stream.
     */
    void release(String id, C client, int escapes, boolean borrowed);

    /** A value or task carrying refs to these objects arrived, kept or not: one escape of each. */
    void escapesArrived(List<String> ids);

    /** {@code client} read a ref to the object out of a value and holds it: it stays until the client lets go. */
    void borrow(String id, C client);

    /**
     * The client is gone: what it borrowed, it holds no more, nor its refs to the objects it owns
     * whose value is known (they stay while others hold refs to them: the node keeps the count).
     */
    void clientClosed(C client);

    /** The objects whose owner matches and whose value is not known yet. */
    List<String> pendingOwnedBy(Predicate<C> owner);

    /** Forgets the objects whose owner matches (the owner's job ended); returns their ids. */
    Set<String> removeOwnedBy(Predicate<C> owner);

    /**
     * {@code Sonde.free}: the object's value goes now (its shared memory and the refs it held with
     * it) and {@code failure} stands in its place; a pending object gets {@code failure} instead of
     * its value when that comes. The object itself stays as long as its refs do. False when the
     * object is unknown.
     */
    boolean free(String id, ObjectValue failure);

    /** How many objects are kept (values, failures and pending results). */
    int size();

    /**
     * Every object kept now, in no particular order: an immutable copy that stays valid after the
     * node's lock is let go, so {@code sonde memory} builds its answer outside the lock.
     */
    List<KeptObject<C>> snapshot();

    /**
     * Where the object was put or its task submitted ("Main.main(Main.java:12)"), as the client
     * said; an empty site or an unknown object changes nothing.
     */
    void callSite(String id, String site);

    /** The call site recorded for the object; empty when none was, or the object is unknown. */
    String callSiteOf(String id);
}

package io.sonde;

/**
 * What {@link ConcurrencyStressTest} asks of the program it defines only in the driver's memory
 * ({@link MemoryProgram}): each call submits work whose code a worker must first fetch from the
 * driver, and returns at once. Public because the in-memory class implements it from another
 * (runtime) package.
 */
public interface StressWorkload {
    /** How many in-memory classes {@link #compute} spreads over: each is fetched by each worker that uses it. */
    int PARTS = 40;

    /** A task that runs the code of in-memory class number {@code part} on {@code x}. */
    ObjectRef<Integer> compute(int part, int x);

    /** What {@link #compute} returns, computed here in the driver. */
    int local(int part, int x);

    /** A task that sleeps for a minute unless it is interrupted. */
    ObjectRef<Integer> sleeper(int part);

    /** A task that ignores interrupts for a minute: only a forced cancel ends it early. */
    ObjectRef<Integer> stubborn(int part);

    /** A counter actor (an in-memory class) that starts at {@code start}. */
    ActorHandle<?> counter(int start);

    /** Adds {@code local(part, 1)} to the counter and returns its new value. */
    ObjectRef<Integer> add(ActorHandle<?> counter, int part);

    /** An actor call that sleeps for a minute unless it is interrupted; returns the counter's value. */
    ObjectRef<Integer> nap(ActorHandle<?> counter);

    /** {@code Sonde.put} of a value of an in-memory record type holding {@code value}. */
    ObjectRef<?> box(int value);

    /** A task that takes the put value as its argument: {@code local(part, value)}. */
    ObjectRef<Integer> unbox(ObjectRef<?> box, int part);
}

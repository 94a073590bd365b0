package io.sonde.internal.client;

import io.sonde.ObjectRef;

import java.io.IOException;
import java.io.ObjectOutputStream;

/**
 * The only ObjectRef implementation: an id. Equal refs name the same object.
 *
 * <p>A ref made by a client (its owner's, or one read out of a value, a borrower's) knows that
 * client, which counts it: when the last ref of the process to the object is garbage collected,
 * the client releases it at the node. A ref serialized into a value travels with the value, which
 * keeps the object alive while it lives (see {@code CoreClient#decoding}).
 */
public final class ObjectRefImpl<T> implements ObjectRef<T> {
    private static final long serialVersionUID = 1L;
    private final String id;
    private final transient CoreClient owner;

    public ObjectRefImpl(String id) {
        this(id, null);
    }

    ObjectRefImpl(String id, CoreClient owner) {
        this.id = id;
        this.owner = owner;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        CoreClient.serialized(id, owner);
        out.defaultWriteObject();
    }

    /** Read out of a value: counted by the client that decodes it, as one of its refs (see CoreClient#decoding). */
    private Object readResolve() {
        return CoreClient.deserialized(this);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectRefImpl && ((ObjectRefImpl<?>) o).id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "ObjectRef(" + id + ")";
    }
}

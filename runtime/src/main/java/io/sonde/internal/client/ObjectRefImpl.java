package io.sonde.internal.client;

import io.sonde.ObjectRef;

import java.io.IOException;
import java.io.ObjectOutputStream;

/**
 * The only ObjectRef implementation: an id. Equal refs name the same object.
 *
 * <p>A ref made by the client that owns the object knows that client: when the ref is garbage
 * collected the object is released, unless the ref was serialized into a value first (it
 * "escaped": some other process may read it later, so the object is kept).
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
        if (owner != null) {
            owner.escaped(id);
        }
        out.defaultWriteObject();
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

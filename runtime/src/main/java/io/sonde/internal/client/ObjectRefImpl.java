package io.sonde.internal.client;

import io.sonde.ObjectRef;

/** The only ObjectRef implementation: an id. Equal refs name the same object. */
public final class ObjectRefImpl<T> implements ObjectRef<T> {
    private static final long serialVersionUID = 1L;
    private final String id;

    public ObjectRefImpl(String id) {
        this.id = id;
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

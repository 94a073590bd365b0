package io.sonde;

import java.io.Serializable;

/**
 * A reference to a value that exists, or will exist, somewhere in the cluster: the return value
 * of a task or actor call, or a value given to {@link Sonde#put}. Pass it to {@link Sonde#get} to
 * read the value, or as an argument to another task, which then receives the value itself.
 *
 * <p>A ref may hold a failure instead of a value; {@code get} then throws it (see
 * {@link SondeException}). Refs are serializable and may travel inside other values.
 */
public interface ObjectRef<T> extends Serializable {
    /** The object's id, as shown by {@code sonde list tasks} and in error messages. */
    String id();
}

package io.sonde.internal.node.object;

import io.sonde.proto.ObjectValue;

/**
 * One object as the node keeps it at an instant, for {@code sonde memory}: a copy taken under the
 * node's lock ({@link ObjectStore#snapshot}), read after it.
 *
 * @param id            the object's id
 * @param owner         the client that receives the value unasked and whose ref keeps it; null for none
 * @param value         its value or failure; null while it is pending
 * @param taskRefs      live tasks that take it as an argument
 * @param ownerReleased the owner dropped its last ref (it stays for the tasks that take it)
 * @param callSite      where it was put or its task submitted, when the client records call sites; else ""
 * @param captured      objects kept by the node whose value holds a ref to it
 * @param borrowers     other processes that read a ref to it out of a value and still hold it
 * @param <C>           the node's clients
 */
public record KeptObject<C>(String id, C owner, ObjectValue value, int taskRefs, boolean ownerReleased,
                            String callSite, int captured, int borrowers) {
}

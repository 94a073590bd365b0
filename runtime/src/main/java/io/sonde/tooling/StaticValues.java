package io.sonde.tooling;

import io.sonde.SondeException;
import io.sonde.internal.serialization.SerializationException;
import io.sonde.internal.serialization.Serializer;
import io.sonde.proto.StaticValue;

/**
 * The values of static fields that a task carries to its worker: the shell's top-level
 * variables, which live in static fields of snippet classes that only the driver has set.
 * Stateless and thread-safe.
 */
public final class StaticValues {
    private StaticValues() {
    }

    /**
     * The value of {@code className.field}, serialized as task arguments are.
     *
     * @throws SondeException if the value cannot be serialized (a serialization failure whose
     *                        cause names the culprit)
     */
    public static StaticValue of(String className, String field, Object value) {
        return StaticValue.newBuilder().setClassName(className).setField(field)
                .setValue(Serializer.value(value)).build();
    }

    /**
     * The failure to throw from a {@link DriverClient#setTaskCapture task capture} when a value
     * cannot be sent: the submission fails with it, its message prefixed with the task's name, as
     * when an argument cannot be sent.
     */
    public static SondeException cannotSend(String message, Throwable cause) {
        return new SerializationException(message, cause);
    }
}

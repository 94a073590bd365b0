package io.sonde.profiler.plugin;

import com.google.protobuf.InvalidProtocolBufferException;

/** Reads the payloads the profiler's parts send each other ({@code profiler.proto}). */
final class Payloads {
    private Payloads() {
    }

    /** A parser of one message type, as {@code WorkerEvent::parseFrom} on a given payload. */
    interface Parse<T> {
        T parse() throws InvalidProtocolBufferException;
    }

    /**
     * The parsed message; a payload that is not one (a peer of another, incompatible version of
     * sonde-profiler) fails the hook, which the host reports and skips.
     */
    static <T> T parse(Parse<T> p) {
        try {
            return p.parse();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a message of the profiler's protocol (is every process of the"
                    + " cluster on the same sonde-profiler version?): " + e.getMessage(), e);
        }
    }
}

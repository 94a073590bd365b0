package io.sonde.debugger.jdwp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One Event.Composite packet from the VM, cut into its events so that each one can go to the client
 * whose request caused it. Layout: {@code suspendPolicy(1) count(4)}, then per event
 * {@code eventKind(1) requestID(4)} and a body whose shape depends on the kind (JDWP spec, Event
 * command set); a kind this class does not know cannot be cut, and is an error.
 */
final class EventComposite {
    static final int NO_THREAD = -1;

    /** One event: its kind, its request, its thread if it has one, and where its bytes are in the packet. */
    record Event(int kind, int requestId, long thread, int start, int end) {
        boolean hasThread() {
            return thread != NO_THREAD;
        }
    }

    private final byte[] packet;
    private final int suspendPolicy;
    private final List<Event> events;

    private EventComposite(byte[] packet, int suspendPolicy, List<Event> events) {
        this.packet = packet;
        this.suspendPolicy = suspendPolicy;
        this.events = events;
    }

    int suspendPolicy() {
        return suspendPolicy;
    }

    List<Event> events() {
        return events;
    }

    /** The thread the VM suspended under SUSPEND_EVENT_THREAD: that of the first event with a thread (as JDI does). */
    long eventThread() {
        for (Event e : events) {
            if (e.hasThread() && e.thread != 0) { // 0: a CLASS_PREPARE on a debugger thread (the VM suspended all)
                return e.thread;
            }
        }
        return NO_THREAD;
    }

    /** A composite with the same id and suspend policy that holds only {@code some} of the events, in order. */
    byte[] with(List<Event> some) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(packet.length);
        out.write(packet, 0, Jdwp.HEADER + 1);
        byte[] count = new byte[4];
        Jdwp.putInt(count, 0, some.size());
        out.write(count, 0, 4);
        for (Event e : some) {
            out.write(packet, e.start, e.end - e.start);
        }
        byte[] p = out.toByteArray();
        Jdwp.putInt(p, 0, p.length);
        return p;
    }

    static EventComposite parse(byte[] packet, IdSizes sizes) throws IOException {
        Cursor c = new Cursor(packet, sizes);
        int policy = c.u1();
        if (policy > Jdwp.SUSPEND_ALL) {
            throw c.error("suspend policy " + policy + " is none of 0, 1, 2");
        }
        int count = c.int4();
        if (count < 0 || count > packet.length) {
            throw c.error("event count " + count + " does not fit the packet");
        }
        List<Event> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int start = c.pos;
            int kind = c.u1();
            int requestId = c.int4();
            long thread = c.body(kind);
            events.add(new Event(kind, requestId, thread, start, c.pos));
        }
        if (c.pos != packet.length) {
            throw c.error((packet.length - c.pos) + " bytes left after the " + count + " events");
        }
        return new EventComposite(packet, policy, events);
    }

    /** Reads a composite's fields, checking each one fits the packet. */
    private static final class Cursor {
        final byte[] p;
        final IdSizes sizes;
        int pos = Jdwp.HEADER;

        Cursor(byte[] p, IdSizes sizes) {
            this.p = p;
            this.sizes = sizes;
        }

        IOException error(String what) {
            return new IOException("malformed Event.Composite from the VM (id " + Jdwp.id(p) + ", " + p.length
                    + " bytes): " + what + " (at byte " + pos + ")");
        }

        void need(int n) throws IOException {
            if (n < 0 || pos + n > p.length) {
                throw error("needs " + n + " more bytes, has " + (p.length - pos));
            }
        }

        int u1() throws IOException {
            need(1);
            return p[pos++] & 0xff;
        }

        int int4() throws IOException {
            need(4);
            int v = Jdwp.getInt(p, pos);
            pos += 4;
            return v;
        }

        void skip(int n) throws IOException {
            need(n);
            pos += n;
        }

        long thread() throws IOException {
            need(sizes.object());
            long t = Jdwp.getId(p, pos, sizes.object());
            pos += sizes.object();
            return t;
        }

        void location() throws IOException {
            skip(1 + sizes.referenceType() + sizes.method() + 8);
        }

        void taggedObject() throws IOException {
            skip(1 + sizes.object());
        }

        void string() throws IOException {
            int n = int4();
            if (n < 0) {
                throw error("string of length " + n);
            }
            skip(n);
        }

        void value() throws IOException {
            int tag = u1();
            switch (tag) {
                case 'B', 'Z' -> skip(1);
                case 'C', 'S' -> skip(2);
                case 'I', 'F' -> skip(4);
                case 'J', 'D' -> skip(8);
                case 'V' -> { }
                case 'L', '[', 's', 't', 'g', 'l', 'c' -> skip(sizes.object());
                default -> throw error("value tag '" + (char) tag + "' (" + tag + ") is not a JDWP tag");
            }
        }

        /** Skips the body of an event of {@code kind}; returns its thread, or NO_THREAD. */
        long body(int kind) throws IOException {
            long thread = NO_THREAD;
            switch (kind) {
                case 90, 6, 7 -> thread = thread(); // VM_START, THREAD_START, THREAD_DEATH
                case 1, 2, 40, 41 -> { // SINGLE_STEP, BREAKPOINT, METHOD_ENTRY, METHOD_EXIT
                    thread = thread();
                    location();
                }
                case 42 -> { // METHOD_EXIT_WITH_RETURN_VALUE
                    thread = thread();
                    location();
                    value();
                }
                case 43, 44 -> { // MONITOR_CONTENDED_ENTER, MONITOR_CONTENDED_ENTERED
                    thread = thread();
                    taggedObject();
                    location();
                }
                case 45 -> { // MONITOR_WAIT: then the timeout
                    thread = thread();
                    taggedObject();
                    location();
                    skip(8);
                }
                case 46 -> { // MONITOR_WAITED: then timed_out
                    thread = thread();
                    taggedObject();
                    location();
                    skip(1);
                }
                case 4 -> { // EXCEPTION: throw location, exception, catch location
                    thread = thread();
                    location();
                    taggedObject();
                    location();
                }
                case 8 -> { // CLASS_PREPARE: refTypeTag, typeID, signature, status
                    thread = thread();
                    skip(1 + sizes.referenceType());
                    string();
                    skip(4);
                }
                case 9 -> string(); // CLASS_UNLOAD: signature
                case 20 -> { // FIELD_ACCESS: location, refTypeTag, typeID, fieldID, object
                    thread = thread();
                    location();
                    skip(1 + sizes.referenceType() + sizes.field());
                    taggedObject();
                }
                case 21 -> { // FIELD_MODIFICATION: as FIELD_ACCESS, then the value to be
                    thread = thread();
                    location();
                    skip(1 + sizes.referenceType() + sizes.field());
                    taggedObject();
                    value();
                }
                case 99 -> { } // VM_DEATH
                default -> throw error("event kind " + kind + " is not one the JDWP spec lists in Event.Composite");
            }
            return thread;
        }
    }
}

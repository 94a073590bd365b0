package io.sonde.debugger.jdwp;

import java.io.IOException;
import java.util.Arrays;

/**
 * The JDWP packet layout and the few commands, error codes and constants the router looks at.
 * A packet is {@code length(4) id(4) flags(1)} then either {@code commandSet(1) command(1)} (a
 * command) or {@code errorCode(2)} (a reply, flag {@code 0x80}), then its data; all big-endian.
 */
final class Jdwp {
    static final int HEADER = 11;
    static final int REPLY_FLAG = 0x80;

    // command sets and commands
    static final int VIRTUAL_MACHINE = 1;
    static final int VM_DISPOSE = 6;
    static final int VM_ID_SIZES = 7;
    static final int VM_SUSPEND = 8;
    static final int VM_RESUME = 9;
    static final int VM_EXIT = 10;
    static final int VM_HOLD_EVENTS = 15;
    static final int VM_RELEASE_EVENTS = 16;
    static final int OBJECT_REFERENCE = 9;
    static final int OBJECT_DISABLE_COLLECTION = 7;
    static final int OBJECT_ENABLE_COLLECTION = 8;
    static final int THREAD_REFERENCE = 11;
    static final int THREAD_SUSPEND = 2;
    static final int THREAD_RESUME = 3;
    static final int EVENT_REQUEST = 15;
    static final int EVENT_REQUEST_SET = 1;
    static final int EVENT_REQUEST_CLEAR = 2;
    static final int EVENT_REQUEST_CLEAR_ALL_BREAKPOINTS = 3;
    static final int EVENT = 64;
    static final int EVENT_COMPOSITE = 100;

    // error codes
    static final int ERROR_NONE = 0;
    static final int ERROR_NOT_IMPLEMENTED = 99;

    // suspend policies
    static final int SUSPEND_NONE = 0;
    static final int SUSPEND_EVENT_THREAD = 1;
    static final int SUSPEND_ALL = 2;

    static final int KIND_BREAKPOINT = 2;

    private Jdwp() {
    }

    static int length(byte[] p) {
        return getInt(p, 0);
    }

    static int id(byte[] p) {
        return getInt(p, 4);
    }

    static boolean isReply(byte[] p) {
        return (p[8] & REPLY_FLAG) != 0;
    }

    static int commandSet(byte[] p) {
        return p[9] & 0xff;
    }

    static int command(byte[] p) {
        return p[10] & 0xff;
    }

    static int errorCode(byte[] p) {
        return ((p[9] & 0xff) << 8) | (p[10] & 0xff);
    }

    /** Throws if {@code p} is not a whole packet: shorter than a header, or its length field disagrees. */
    static void checkFraming(byte[] p, String from) throws IOException {
        if (p == null || p.length < HEADER) {
            throw new IOException("JDWP packet from " + from + " has " + (p == null ? 0 : p.length)
                    + " bytes, less than the 11-byte header");
        }
        if (length(p) != p.length) {
            throw new IOException("JDWP packet from " + from + " declares length " + length(p) + " but has "
                    + p.length + " bytes");
        }
    }

    /** Throws unless the command {@code p} carries at least {@code bytes} bytes of data. */
    static void needData(byte[] p, int bytes, String what) throws IOException {
        if (p.length - HEADER < bytes) {
            throw new IOException(what + " carries " + (p.length - HEADER) + " bytes of data, needs " + bytes);
        }
    }

    static byte[] command(int id, int commandSet, int command, byte[] data) {
        byte[] p = new byte[HEADER + data.length];
        putInt(p, 0, p.length);
        putInt(p, 4, id);
        p[9] = (byte) commandSet;
        p[10] = (byte) command;
        System.arraycopy(data, 0, p, HEADER, data.length);
        return p;
    }

    static byte[] reply(int id, int errorCode) {
        byte[] p = new byte[HEADER];
        putInt(p, 0, HEADER);
        putInt(p, 4, id);
        p[8] = (byte) REPLY_FLAG;
        p[9] = (byte) (errorCode >> 8);
        p[10] = (byte) errorCode;
        return p;
    }

    /** A copy of {@code p} with another id. */
    static byte[] withId(byte[] p, int id) {
        byte[] copy = Arrays.copyOf(p, p.length);
        putInt(copy, 4, id);
        return copy;
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** An id of {@code size} bytes (JDWP ids are 1 to 8 bytes wide, per VirtualMachine.IDSizes). */
    static long getId(byte[] b, int off, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    static byte[] id(long v, int size) {
        byte[] b = new byte[size];
        for (int i = size - 1; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }

    /** The data of an EventRequest.Clear: the event kind, then the request id. */
    static byte[] clearData(int eventKind, int requestId) {
        byte[] d = new byte[5];
        d[0] = (byte) eventKind;
        putInt(d, 1, requestId);
        return d;
    }

    static String name(int commandSet, int command) {
        return "command " + commandSet + "/" + command;
    }
}

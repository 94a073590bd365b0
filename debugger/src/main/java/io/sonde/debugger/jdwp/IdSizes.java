package io.sonde.debugger.jdwp;

import java.io.IOException;

/** The widths in bytes of the VM's ids, from its reply to VirtualMachine.IDSizes; events cannot be cut without them. */
record IdSizes(int field, int method, int object, int referenceType, int frame) {

    static IdSizes fromReply(byte[] reply) throws IOException {
        if (Jdwp.errorCode(reply) != Jdwp.ERROR_NONE) {
            throw new IOException("the VM refused VirtualMachine.IDSizes with JDWP error " + Jdwp.errorCode(reply));
        }
        Jdwp.needData(reply, 20, "the reply to VirtualMachine.IDSizes");
        IdSizes s = new IdSizes(Jdwp.getInt(reply, 11), Jdwp.getInt(reply, 15), Jdwp.getInt(reply, 19),
                Jdwp.getInt(reply, 23), Jdwp.getInt(reply, 27));
        for (int w : new int[] {s.field, s.method, s.object, s.referenceType, s.frame}) {
            if (w < 1 || w > 8) {
                throw new IOException("the VM reports ids of " + w + " bytes (" + s + "); the router handles 1 to 8");
            }
        }
        return s;
    }
}

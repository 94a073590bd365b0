package io.sonde.debugger.jdwp;

import java.util.HashMap;
import java.util.Map;

/**
 * The suspensions one client holds in the VM, so that its resumes only undo its own suspensions
 * and so that whatever it still holds can be undone when it leaves.
 *
 * <p>A client holds {@code all} VM-wide suspensions (VirtualMachine.Suspend, events delivered to it
 * under SUSPEND_ALL) and, per thread, an offset (ThreadReference.Suspend, events under
 * SUSPEND_EVENT_THREAD; a thread-level resume of a thread held only VM-wide makes it negative). What
 * it holds on thread {@code t} is {@code all + offset(t)}, never below zero: the VM does not count
 * below zero either. Not thread-safe: the router's lock guards it.
 */
final class SuspendLedger {
    private int all;
    private final Map<Long, Integer> offsets = new HashMap<>();

    void vmSuspended() {
        all++;
    }

    /** Accounts a VM-wide resume; false if this client holds no VM-wide suspension (the resume would undo another's). */
    boolean vmResumed() {
        if (all == 0) {
            return false;
        }
        // a thread this client had already resumed to zero stays at zero, as in the VM
        int before = all;
        offsets.replaceAll((t, off) -> off == -before ? off + 1 : off);
        offsets.values().removeIf(off -> off == 0);
        all--;
        return true;
    }

    void threadSuspended(long thread) {
        adjust(thread, +1);
    }

    /** Accounts a resume of {@code thread}; false if this client holds no suspension of it. */
    boolean threadResumed(long thread) {
        if (held(thread) == 0) {
            return false;
        }
        adjust(thread, -1);
        return true;
    }

    /** How many times this client holds {@code thread} suspended. */
    int held(long thread) {
        return all + offsets.getOrDefault(thread, 0);
    }

    int vmWide() {
        return all;
    }

    /** The per-thread offsets: positive, resumes of that thread to send; negative, suspends. */
    Map<Long, Integer> offsets() {
        return Map.copyOf(offsets);
    }

    boolean isEmpty() {
        return all == 0 && offsets.isEmpty();
    }

    private void adjust(long thread, int by) {
        offsets.merge(thread, by, Integer::sum);
        offsets.values().removeIf(off -> off == 0);
    }
}

package io.sonde.debugger.jdwp;

import com.sun.jdi.connect.spi.ClosedConnectionException;
import com.sun.jdi.connect.spi.Connection;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Shares one JDWP connection to a VM's agent among any number of debuggers. The JDWP agent serves
 * one debugger at a time and, between two, listens for anyone on the machine; the router takes the
 * agent's connection once and keeps it, and hands out virtual {@linkplain Connection connections}
 * instead, each a whole JDI {@code VirtualMachine} for whoever holds it:
 * <pre>
 *   JDI (worker's own agent) ──┐ client                     one JDWP connection
 *   JDI (sonde debug, tunnel) ─┼──────── JdwpRouter ───────────────────────────── JDWP agent (VM)
 *   raw JDWP (tunnel) ─────────┘   commands: new ids ──▶  writer thread  ──▶
 *                                  replies, events   ◀──  reader thread  ◀──
 * </pre>
 *
 * <h2>How a packet flows</h2>
 * A client's command gets a router-unique id on its way to the VM; the reply goes back to that
 * client with the client's own id. Events come in Event.Composite packets: the router cuts each
 * one by request id and gives every client a composite with only the events of its own requests,
 * with the suspend policy of the whole; events of request 0 (the VM_START and VM_DEATH the VM sends
 * unasked) go to every client. The VM suspended once for the composite, but every client that
 * receives it resumes once, so the router evens the count out before anyone can resume: it
 * suspends again once per extra receiver, or resumes itself when nobody receives it (an event of a
 * request whose owner left) — otherwise the VM would hang, or a second resume would undo another
 * client's suspension.
 *
 * <h2>What each client owns</h2>
 * Each client sees the VM as if it were its only debugger, as far as the agent's shared state lets:
 * <ul>
 *   <li>Event requests: the reply to EventRequest.Set tells the router the owner. EventRequest.Clear
 *       of another's request is answered as the agent answers a request already gone (success,
 *       nothing cleared); ClearAllBreakpoints becomes Clears of the client's own breakpoints.
 *       An event that arrives before the router has read the reply to the Set that asked for it
 *       (the agent writes events and replies on two threads) waits, with the events after it,
 *       until the Sets sent before it are answered.</li>
 *   <li>Suspensions ({@code SuspendLedger}): VirtualMachine.Suspend and ThreadReference.Suspend, and
 *       the events delivered to it under SUSPEND_ALL or SUSPEND_EVENT_THREAD, net of its resumes. A
 *       resume of something the client does not hold suspended is answered without reaching the VM:
 *       it would undo another client's suspension. Method invocations (which resume and suspend
 *       again) are not counted.</li>
 *   <li>Garbage collection: ObjectReference.DisableCollection is a flag in the agent, not a count,
 *       so EnableCollection only reaches the VM when no other client keeps the object pinned.</li>
 *   <li>HoldEvents / ReleaseEvents hold and release only this client's events (in the router):
 *       holding them in the agent would stall every client.</li>
 * </ul>
 * VirtualMachine.Dispose, and a client's {@link Connection#close close} without it, end that client
 * only, as the agent ends a debugger: its requests are cleared, the suspensions it holds undone, its
 * pins released, then (for Dispose) it gets its reply and the end of its stream. The VM's connection
 * stays. VirtualMachine.Exit is refused with NOT_IMPLEMENTED (JDI throws
 * {@code UnsupportedOperationException}) and the client is then ended as on Dispose: a debugger must
 * not stop a VM other debuggers share (JDI marks its mirror shut down anyway). DisposeObjects goes to
 * the VM as is: the agent counts each object id once per packet it sent, and each packet goes to
 * exactly one client, so the counts add up — except ids in events of request 0 sent to several
 * clients, and ids in dropped events (never disposed: the agent keeps a table entry, not the object).
 *
 * <h2>Threads</h2>
 * Thread-safe: clients come and go and write from any thread. One lock guards the state; under it
 * the router only updates its own tables and queues packets — nothing under it blocks or calls out.
 * A serial reader thread reads the VM, a serial writer thread writes it, and packets queued for the
 * VM leave in the order the state changed. A client's {@link Connection#readPacket readPacket} blocks
 * on that client's own queue.
 *
 * <h2>Ends and errors</h2>
 * When the VM's connection ends (the VM died, or {@link #close}), every client reads the end of its
 * stream (JDI then reports VMDisconnectEvent); with the connection gone the agent listens again, so
 * a worker closes the router only when it stops. A malformed packet from a client fails its
 * {@code writePacket} with an {@link IOException} saying what is wrong (rather than the SPI's
 * IllegalArgumentException: a packet from a tunnel is I/O), and the client stays attached. A
 * packet from the VM the router cannot route (an event kind it cannot cut, a reply to nothing) ends
 * the router, with that as the {@link #failure()} its clients read.
 *
 * <h2>Pitfalls</h2>
 * The agent's other state is global and is shared, not split: two clients stepping the same thread
 * at once, RedefineClasses, SetDefaultStratum, ThreadReference.Stop and Interrupt affect everyone;
 * ThreadReference.SuspendCount reports the sum of all clients' suspensions. A client that leaves
 * while a method it invoked still runs gets no special care: its cleanup resumes the invoking thread
 * as it holds it, and how the agent restores that thread's suspensions when the invocation returns
 * is not handled (nor tested). A client that never reads its connection accumulates its events in
 * memory.
 */
public final class JdwpRouter implements Closeable {
    private static final System.Logger LOG = System.getLogger(JdwpRouter.class.getName());
    private static final byte[] HANDSHAKE = "JDWP-Handshake".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO_DATA = new byte[0];
    /** Queued for the writer thread: stop. */
    private static final byte[] STOP = new byte[0];
    /** The router's own id for its VirtualMachine.IDSizes, sent before anything else. */
    private static final int ID_SIZES_ID = 1;

    private static final int VM_DISPOSE = key(Jdwp.VIRTUAL_MACHINE, Jdwp.VM_DISPOSE);
    private static final int VM_EXIT = key(Jdwp.VIRTUAL_MACHINE, Jdwp.VM_EXIT);
    private static final int VM_SUSPEND = key(Jdwp.VIRTUAL_MACHINE, Jdwp.VM_SUSPEND);
    private static final int VM_RESUME = key(Jdwp.VIRTUAL_MACHINE, Jdwp.VM_RESUME);
    private static final int VM_HOLD_EVENTS = key(Jdwp.VIRTUAL_MACHINE, Jdwp.VM_HOLD_EVENTS);
    private static final int VM_RELEASE_EVENTS = key(Jdwp.VIRTUAL_MACHINE, Jdwp.VM_RELEASE_EVENTS);
    private static final int THREAD_SUSPEND = key(Jdwp.THREAD_REFERENCE, Jdwp.THREAD_SUSPEND);
    private static final int THREAD_RESUME = key(Jdwp.THREAD_REFERENCE, Jdwp.THREAD_RESUME);
    private static final int DISABLE_COLLECTION = key(Jdwp.OBJECT_REFERENCE, Jdwp.OBJECT_DISABLE_COLLECTION);
    private static final int ENABLE_COLLECTION = key(Jdwp.OBJECT_REFERENCE, Jdwp.OBJECT_ENABLE_COLLECTION);
    private static final int REQUEST_SET = key(Jdwp.EVENT_REQUEST, Jdwp.EVENT_REQUEST_SET);
    private static final int REQUEST_CLEAR = key(Jdwp.EVENT_REQUEST, Jdwp.EVENT_REQUEST_CLEAR);
    private static final int CLEAR_ALL_BREAKPOINTS = key(Jdwp.EVENT_REQUEST, Jdwp.EVENT_REQUEST_CLEAR_ALL_BREAKPOINTS);

    private final String vm;
    private final DataInputStream in;
    private final OutputStream out;
    private final Closeable transport;
    private final IdSizes sizes;
    /** Packets for the writer thread; only added to under {@link #lock}, so they leave in the order of the state. */
    private final LinkedBlockingQueue<byte[]> toVm = new LinkedBlockingQueue<>();

    private final Object lock = new Object();
    /** Router id of a command in flight to what to do with its reply. */
    private final Map<Integer, ReplyHandler> pending = new HashMap<>();
    /** The clients not yet gone (open, or leaving while their cleanup runs), in attach order. */
    private final List<Client> clients = new ArrayList<>();
    /** Request id to the request's owner and kind. */
    private final Map<Integer, Request> requests = new HashMap<>();
    /** EventRequest.Set commands not answered yet, by send order. */
    private final TreeSet<Long> setsInFlight = new TreeSet<>();
    /** Composites waiting for the reply to a Set, and the ones behind them; in arrival order. */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** Object id to the number of clients that disabled its collection. */
    private final Map<Long, Integer> pins = new HashMap<>();
    private long setsSent;
    private int nextId = ID_SIZES_ID + 1;
    private int clientSerial;
    private long droppedEvents;
    private boolean ended;
    private boolean closing;
    private IOException failure;

    /** Something done on the connection once the handshake is over, before the router's threads read it. */
    @FunctionalInterface
    private interface Setup {
        void run() throws IOException;
    }

    private JdwpRouter(InputStream rawIn, OutputStream rawOut, Closeable transport, String vm) throws IOException {
        this(rawIn, rawOut, transport, vm, () -> { });
    }

    /**
     * @param beforeThreads run once the id sizes are known and before the reader starts: a socket's
     *                      read timeout must be lifted here, not after, since a read in progress keeps
     *                      the timeout it started with (the router would end after that long of silence)
     */
    private JdwpRouter(InputStream rawIn, OutputStream rawOut, Closeable transport, String vm, Setup beforeThreads)
            throws IOException {
        this.vm = vm;
        this.in = new DataInputStream(new BufferedInputStream(rawIn));
        this.out = new BufferedOutputStream(rawOut);
        this.transport = transport;
        out.write(Jdwp.command(ID_SIZES_ID, Jdwp.VIRTUAL_MACHINE, Jdwp.VM_ID_SIZES, NO_DATA));
        out.flush();
        List<byte[]> early = new ArrayList<>();
        IdSizes s = null;
        while (s == null) {
            byte[] p = readPacket(in, "the VM at " + vm);
            if (p == null) {
                throw new EOFException("the VM at " + vm + " closed its JDWP connection before answering "
                        + "VirtualMachine.IDSizes");
            } else if (Jdwp.isReply(p) && Jdwp.id(p) == ID_SIZES_ID) {
                s = IdSizes.fromReply(p);
            } else if (isComposite(p)) {
                early.add(p); // routed once the sizes are known
            } else {
                throw new IOException("the VM at " + vm + " sent " + describe(p) + " before answering "
                        + "VirtualMachine.IDSizes");
            }
        }
        this.sizes = s;
        beforeThreads.run();
        Thread reader = new Thread(() -> readLoop(early), "sonde-jdwp-router-reader " + vm);
        Thread writer = new Thread(this::writeLoop, "sonde-jdwp-router-writer " + vm);
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    /**
     * Takes the JDWP connection of the agent listening on {@code 127.0.0.1:port}: connects, exchanges
     * the handshake and the id sizes, each within {@code timeout}.
     *
     * @throws IOException nothing listens there, or what answers is not a JDWP agent
     */
    public static JdwpRouter attach(int port, Duration timeout) throws IOException {
        return attach(port, timeout, "127.0.0.1:" + port);
    }

    /**
     * As {@link #attach(int, Duration)}, with {@code name} for the VM in messages and thread names
     * instead of its address (a worker keeps its agent's port out of everything it shows).
     */
    public static JdwpRouter attach(int port, Duration timeout, String name) throws IOException {
        String where = name;
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), millis);
            socket.setSoTimeout(millis);
            socket.setTcpNoDelay(true);
            OutputStream o = socket.getOutputStream();
            o.write(HANDSHAKE);
            o.flush();
            byte[] answer = socket.getInputStream().readNBytes(HANDSHAKE.length);
            if (!Arrays.equals(answer, HANDSHAKE)) {
                throw new IOException("the process at " + where + " answered the JDWP handshake with "
                        + answer.length + " bytes \"" + new String(answer, StandardCharsets.ISO_8859_1)
                        + "\" instead of \"JDWP-Handshake\": not a JDWP agent, or one already serving a debugger");
            }
            return new JdwpRouter(socket.getInputStream(), o, socket, where, () -> socket.setSoTimeout(0));
        } catch (IOException e) {
            closeQuietly(socket);
            throw e.getMessage() != null && e.getMessage().contains(where) ? e
                    : new IOException("could not take the JDWP connection of " + where + ": " + e, e);
        }
    }

    /** Routes over {@code socket}, connected to a JDWP agent, the handshake already exchanged. */
    public static JdwpRouter over(Socket socket) throws IOException {
        String where = String.valueOf(socket.getRemoteSocketAddress());
        try {
            return new JdwpRouter(socket.getInputStream(), socket.getOutputStream(), socket, where);
        } catch (IOException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /**
     * Routes over a JDWP connection given as its two streams, the handshake already exchanged;
     * {@code transport} is closed when the router ends. {@code vm} names the VM in messages.
     */
    public static JdwpRouter over(InputStream in, OutputStream out, Closeable transport, String vm) throws IOException {
        try {
            return new JdwpRouter(in, out, transport, vm);
        } catch (IOException e) {
            closeQuietly(transport);
            throw e;
        }
    }

    /**
     * A new debugger on the VM: give it to {@code Bootstrap.virtualMachineManager().createVirtualMachine}
     * for a JDI mirror, or feed it JDWP packets. {@code name} names it in messages.
     *
     * @throws ClosedConnectionException the VM's connection has ended
     */
    public Connection connect(String name) throws IOException {
        synchronized (lock) {
            if (ended) {
                throw new ClosedConnectionException(endMessage());
            }
            Client c = new Client(name + " (client " + (++clientSerial) + " of " + vm + ")");
            clients.add(c);
            return c;
        }
    }

    /**
     * Whether {@code packet}, written by a client, ends that client: VirtualMachine.Dispose or Exit
     * (see the class comment). A relay can tell its own side that the debugger leaves before the
     * router lets the debugger's suspensions go.
     */
    public static boolean endsClient(byte[] packet) {
        return packet.length >= Jdwp.HEADER && !Jdwp.isReply(packet) && Jdwp.commandSet(packet) == Jdwp.VIRTUAL_MACHINE
                && (Jdwp.command(packet) == Jdwp.VM_DISPOSE || Jdwp.command(packet) == Jdwp.VM_EXIT);
    }

    /** How many clients are attached (a client that is leaving is no longer counted). */
    public int clientCount() {
        synchronized (lock) {
            return (int) clients.stream().filter(c -> c.state == State.OPEN).count();
        }
    }

    /** Whether the VM's connection is still up. */
    public boolean isOpen() {
        synchronized (lock) {
            return !ended;
        }
    }

    /** Why the router ended, if not because the VM closed the connection or {@link #close} was called. */
    public Optional<IOException> failure() {
        synchronized (lock) {
            return Optional.ofNullable(failure);
        }
    }

    /** How many events went to nobody: their request's owner had left. Their suspensions were undone. */
    public long droppedEvents() {
        synchronized (lock) {
            return droppedEvents;
        }
    }

    /** Ends the VM's connection and with it every client; the agent then listens for a debugger again. */
    @Override
    public void close() {
        synchronized (lock) {
            closing = true;
        }
        end(null);
    }

    @Override
    public String toString() {
        return "JdwpRouter[" + vm + "]";
    }

    // ---- the VM side

    private void readLoop(List<byte[]> early) {
        IOException cause = null;
        try {
            for (byte[] p : early) {
                fromVm(p);
            }
            byte[] p;
            while ((p = readPacket(in, "the VM at " + vm)) != null) {
                fromVm(p);
            }
        } catch (IOException e) {
            cause = e;
        } catch (RuntimeException e) {
            cause = new IOException("the JDWP router of " + vm + " failed: " + e, e);
        }
        end(cause);
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] p = toVm.take();
                if (p == STOP) {
                    return;
                }
                out.write(p);
                if (toVm.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            end(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(new InterruptedIOException("the JDWP router's writer to " + vm + " was interrupted"));
        }
    }

    private void fromVm(byte[] p) throws IOException {
        synchronized (lock) {
            if (ended) {
                return;
            }
            if (Jdwp.isReply(p)) {
                ReplyHandler h = pending.remove(Jdwp.id(p));
                if (h == null) {
                    throw new IOException("the VM at " + vm + " sent " + describe(p)
                            + ", which answers no command the router sent");
                }
                h.replied(p);
                if (!waiting.isEmpty()) {
                    releaseWaiting();
                }
            } else if (isComposite(p)) {
                EventComposite ec = EventComposite.parse(p, sizes);
                if (waiting.isEmpty() && !hasUnowned(ec)) {
                    distribute(ec);
                } else {
                    waiting.add(new Waiting(ec, setsSent));
                    releaseWaiting();
                }
            } else {
                throw new IOException("the VM at " + vm + " sent " + describe(p)
                        + "; a JDWP agent only sends replies and Event.Composite");
            }
        }
    }

    /** Routes the waiting composites whose events all have an owner, or whose Sets have all been answered. */
    private void releaseWaiting() {
        while (!waiting.isEmpty()) {
            Waiting w = waiting.peek();
            boolean setsPending = !setsInFlight.isEmpty() && setsInFlight.first() <= w.setsBefore;
            if (setsPending && hasUnowned(w.composite)) {
                return;
            }
            waiting.poll();
            distribute(w.composite);
        }
    }

    private boolean hasUnowned(EventComposite ec) {
        for (EventComposite.Event e : ec.events()) {
            if (e.requestId() != 0 && !requests.containsKey(e.requestId())) {
                return true;
            }
        }
        return false;
    }

    /** Gives each client the events of its requests, after evening out the VM's one suspension. */
    private void distribute(EventComposite ec) {
        Map<Client, List<EventComposite.Event>> to = new LinkedHashMap<>();
        for (EventComposite.Event e : ec.events()) {
            if (e.requestId() == 0) {
                for (Client c : clients) {
                    if (c.state == State.OPEN) {
                        to.computeIfAbsent(c, k -> new ArrayList<>()).add(e);
                    }
                }
            } else {
                Request r = requests.get(e.requestId());
                if (r != null && r.owner.state == State.OPEN) {
                    to.computeIfAbsent(r.owner, k -> new ArrayList<>()).add(e);
                } else {
                    droppedEvents++;
                }
            }
        }
        int receivers = to.size();
        if (ec.suspendPolicy() == Jdwp.SUSPEND_ALL) {
            evenOut(receivers, Jdwp.VIRTUAL_MACHINE, Jdwp.VM_SUSPEND, Jdwp.VM_RESUME, NO_DATA);
            to.keySet().forEach(c -> c.ledger.vmSuspended());
        } else if (ec.suspendPolicy() == Jdwp.SUSPEND_EVENT_THREAD) {
            long thread = ec.eventThread();
            if (thread != EventComposite.NO_THREAD) {
                evenOut(receivers, Jdwp.THREAD_REFERENCE, Jdwp.THREAD_SUSPEND, Jdwp.THREAD_RESUME,
                        Jdwp.id(thread, sizes.object()));
                to.keySet().forEach(c -> c.ledger.threadSuspended(thread));
            }
        }
        to.forEach((c, events) -> c.event(ec.with(events)));
    }

    /** The VM suspended once; each of {@code receivers} will resume once: suspend or resume to match. */
    private void evenOut(int receivers, int commandSet, int suspend, int resume, byte[] data) {
        if (receivers == 0) {
            internal(commandSet, resume, data, ignoreErrors("resume what an event nobody receives suspended"));
        }
        for (int i = 1; i < receivers; i++) {
            internal(commandSet, suspend, data, ignoreErrors("suspend once more for one more receiver of an event"));
        }
    }

    /** Ends the router: every client reads the end of its stream. Called on any thread, any number of times. */
    private void end(IOException cause) {
        synchronized (lock) {
            if (ended) {
                return;
            }
            ended = true;
            if (!closing && cause != null) {
                failure = cause;
            }
            for (Client c : clients) {
                c.state = State.GONE;
                c.inbox.add(new Ended(failure));
            }
            clients.clear();
            pending.clear();
            requests.clear();
            waiting.clear();
            toVm.clear();
            toVm.add(STOP);
        }
        closeQuietly(transport);
    }

    private String endMessage() {
        return failure != null ? "the JDWP router of " + vm + " failed: " + failure.getMessage()
                : "the JDWP connection of " + vm + " has ended";
    }

    // ---- the clients' side

    private void fromClient(Client c, byte[] p) throws IOException {
        Jdwp.checkFraming(p, c.name);
        if (Jdwp.isReply(p)) {
            throw new IOException(c.name + " sent a reply packet (id " + Jdwp.id(p) + "); a debugger sends "
                    + "only commands");
        }
        synchronized (lock) {
            if (ended) {
                throw new ClosedConnectionException(endMessage());
            }
            if (c.closedByCaller || c.state != State.OPEN) {
                throw new ClosedConnectionException(c.name + " has " + (c.closedByCaller ? "been closed" : "detached"));
            }
            route(c, p);
        }
    }

    /** Sends a client's command on, or answers it here; under the lock. */
    private void route(Client c, byte[] p) throws IOException {
        int k = key(Jdwp.commandSet(p), Jdwp.command(p));
        int id = Jdwp.id(p);
        if (k == VM_DISPOSE) {
            leave(c, Jdwp.reply(id, Jdwp.ERROR_NONE));
        } else if (k == VM_EXIT) {
            leave(c, Jdwp.reply(id, Jdwp.ERROR_NOT_IMPLEMENTED));
        } else if (k == VM_HOLD_EVENTS) {
            c.holding = true;
            c.deliver(Jdwp.reply(id, Jdwp.ERROR_NONE));
        } else if (k == VM_RELEASE_EVENTS) {
            c.deliver(Jdwp.reply(id, Jdwp.ERROR_NONE));
            c.holding = false;
            c.held.forEach(c::deliver);
            c.held.clear();
        } else if (k == VM_SUSPEND) {
            c.ledger.vmSuspended();
            forward(c, p, reply -> {
                if (Jdwp.errorCode(reply) != Jdwp.ERROR_NONE) {
                    c.ledger.vmResumed();
                }
            });
        } else if (k == VM_RESUME) {
            if (c.ledger.vmResumed()) {
                forward(c, p, null);
            } else {
                c.deliver(Jdwp.reply(id, Jdwp.ERROR_NONE)); // holds nothing: would resume another's
            }
        } else if (k == THREAD_SUSPEND) {
            long thread = objectId(p, "ThreadReference.Suspend");
            c.ledger.threadSuspended(thread);
            forward(c, p, reply -> {
                if (Jdwp.errorCode(reply) != Jdwp.ERROR_NONE) {
                    c.ledger.threadResumed(thread);
                }
            });
        } else if (k == THREAD_RESUME) {
            long thread = objectId(p, "ThreadReference.Resume");
            if (c.ledger.threadResumed(thread)) {
                forward(c, p, null);
            } else {
                c.deliver(Jdwp.reply(id, Jdwp.ERROR_NONE));
            }
        } else if (k == DISABLE_COLLECTION) {
            long object = objectId(p, "ObjectReference.DisableCollection");
            forward(c, p, reply -> {
                if (Jdwp.errorCode(reply) != Jdwp.ERROR_NONE) {
                    return;
                }
                if (c.state == State.OPEN) {
                    if (c.pinned.add(object)) {
                        pins.merge(object, 1, Integer::sum);
                    }
                } else if (!pins.containsKey(object)) {
                    internal(Jdwp.OBJECT_REFERENCE, Jdwp.OBJECT_ENABLE_COLLECTION, Jdwp.id(object, sizes.object()),
                            ignoreErrors("re-enable the collection a client that left meanwhile disabled"));
                }
            });
        } else if (k == ENABLE_COLLECTION) {
            long object = objectId(p, "ObjectReference.EnableCollection");
            boolean mine = c.pinned.remove(object);
            if (mine) {
                unpin(object);
            }
            if (pins.containsKey(object)) {
                c.deliver(Jdwp.reply(id, Jdwp.ERROR_NONE)); // another client keeps it pinned
            } else {
                forward(c, p, null);
            }
        } else if (k == REQUEST_SET) {
            Jdwp.needData(p, 6, "EventRequest.Set from " + c.name);
            int kind = p[Jdwp.HEADER] & 0xff;
            long seq = ++setsSent;
            setsInFlight.add(seq);
            forward(c, p, reply -> {
                setsInFlight.remove(seq);
                if (Jdwp.errorCode(reply) != Jdwp.ERROR_NONE) {
                    return;
                }
                Jdwp.needData(reply, 4, "the VM's reply to EventRequest.Set");
                int requestId = Jdwp.getInt(reply, Jdwp.HEADER);
                if (c.state == State.OPEN) {
                    requests.put(requestId, new Request(c, kind));
                } else {
                    internal(Jdwp.EVENT_REQUEST, Jdwp.EVENT_REQUEST_CLEAR, Jdwp.clearData(kind, requestId),
                            ignoreErrors("clear a request set by a client that left meanwhile"));
                }
            });
        } else if (k == REQUEST_CLEAR) {
            Jdwp.needData(p, 5, "EventRequest.Clear from " + c.name);
            int kind = p[Jdwp.HEADER] & 0xff;
            int requestId = Jdwp.getInt(p, Jdwp.HEADER + 1);
            Request r = requests.get(requestId);
            if (r != null && r.owner == c) {
                forward(c, p, reply -> {
                    if (Jdwp.errorCode(reply) == Jdwp.ERROR_NONE && r.kind == kind) {
                        requests.remove(requestId, r);
                    }
                });
            } else {
                c.deliver(Jdwp.reply(id, Jdwp.ERROR_NONE)); // as the agent answers a request already gone
            }
        } else if (k == CLEAR_ALL_BREAKPOINTS) {
            Batch batch = new Batch(() -> c.deliver(Jdwp.reply(id, Jdwp.ERROR_NONE)));
            clearRequests(c, Jdwp.KIND_BREAKPOINT, batch);
            batch.seal();
        } else {
            forward(c, p, null);
        }
    }

    /**
     * Ends a client's session as the agent ends a debugger's: clears its requests, undoes the
     * suspensions it holds and the collections it disabled, then answers {@code lastReply} (if any)
     * and ends its stream.
     */
    private void leave(Client c, byte[] lastReply) {
        c.state = State.LEAVING;
        c.holding = false;
        c.held.clear();
        Batch batch = new Batch(() -> {
            c.state = State.GONE;
            clients.remove(c);
            if (lastReply != null) {
                c.deliver(lastReply);
            }
            c.inbox.add(new Ended(null));
        });
        clearRequests(c, -1, batch);
        Map<Long, Integer> offsets = c.ledger.offsets();
        // suspend first what the client resumed below its VM-wide hold, so no thread runs early
        offsets.forEach((thread, off) -> {
            for (int i = off; i < 0; i++) {
                batch.send(Jdwp.THREAD_REFERENCE, Jdwp.THREAD_SUSPEND, Jdwp.id(thread, sizes.object()));
            }
        });
        for (int i = 0; i < c.ledger.vmWide(); i++) {
            batch.send(Jdwp.VIRTUAL_MACHINE, Jdwp.VM_RESUME, NO_DATA);
        }
        offsets.forEach((thread, off) -> {
            for (int i = 0; i < off; i++) {
                batch.send(Jdwp.THREAD_REFERENCE, Jdwp.THREAD_RESUME, Jdwp.id(thread, sizes.object()));
            }
        });
        for (long object : c.pinned) {
            unpin(object);
            if (!pins.containsKey(object)) {
                batch.send(Jdwp.OBJECT_REFERENCE, Jdwp.OBJECT_ENABLE_COLLECTION, Jdwp.id(object, sizes.object()));
            }
        }
        c.pinned.clear();
        batch.seal();
    }

    /** Clears the client's requests of {@code kind} (-1: all kinds) in the VM; their events are dropped from now on. */
    private void clearRequests(Client c, int kind, Batch batch) {
        for (Iterator<Map.Entry<Integer, Request>> it = requests.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Request> e = it.next();
            Request r = e.getValue();
            if (r.owner == c && (kind < 0 || r.kind == kind)) {
                it.remove();
                batch.send(Jdwp.EVENT_REQUEST, Jdwp.EVENT_REQUEST_CLEAR, Jdwp.clearData(r.kind, e.getKey()));
            }
        }
    }

    private void unpin(long object) {
        pins.computeIfPresent(object, (o, n) -> n > 1 ? n - 1 : null);
    }

    private void closeClient(Client c) {
        synchronized (lock) {
            c.closedByCaller = true;
            if (c.state == State.OPEN && !ended) {
                leave(c, null);
            }
            c.inbox.add(CLOSED);
        }
    }

    private boolean isOpen(Client c) {
        synchronized (lock) {
            return !ended && !c.closedByCaller && c.state == State.OPEN;
        }
    }

    // ---- sending to the VM; all under the lock

    /** Sends a client's command with a router id; the reply goes back with the client's id, after {@code then}. */
    private void forward(Client c, byte[] p, ReplyHandler then) {
        int clientId = Jdwp.id(p);
        int routerId = newId();
        pending.put(routerId, reply -> {
            if (then != null) {
                then.replied(reply);
            }
            c.deliver(Jdwp.withId(reply, clientId));
        });
        toVm.add(Jdwp.withId(p, routerId));
    }

    /** Sends a command of the router's own. */
    private void internal(int commandSet, int command, byte[] data, ReplyHandler then) {
        int routerId = newId();
        pending.put(routerId, then);
        toVm.add(Jdwp.command(routerId, commandSet, command, data));
    }

    private int newId() {
        int id;
        do {
            id = nextId++;
        } while (id == 0 || pending.containsKey(id));
        return id;
    }

    private ReplyHandler ignoreErrors(String what) {
        return reply -> {
            if (Jdwp.errorCode(reply) != Jdwp.ERROR_NONE) {
                // a thread that died, an object collected: nothing left to undo
                LOG.log(System.Logger.Level.DEBUG, () -> "JDWP router of " + vm + ": the VM answered error "
                        + Jdwp.errorCode(reply) + " to the router's command to " + what);
            }
        };
    }

    /** Commands of the router's own whose replies end in one action (errors ignored: there is nothing left to undo). */
    private final class Batch {
        private final Runnable whenDone;
        private int outstanding;
        private boolean sealed;

        Batch(Runnable whenDone) {
            this.whenDone = whenDone;
        }

        void send(int commandSet, int command, byte[] data) {
            outstanding++;
            ReplyHandler log = ignoreErrors("clean up after a client (" + Jdwp.name(commandSet, command) + ")");
            internal(commandSet, command, data, reply -> {
                log.replied(reply);
                if (--outstanding == 0 && sealed) {
                    whenDone.run();
                }
            });
        }

        void seal() {
            sealed = true;
            if (outstanding == 0) {
                whenDone.run();
            }
        }
    }

    // ---- helpers

    private long objectId(byte[] p, String what) throws IOException {
        Jdwp.needData(p, sizes.object(), what);
        return Jdwp.getId(p, Jdwp.HEADER, sizes.object());
    }

    private static int key(int commandSet, int command) {
        return commandSet << 8 | command;
    }

    private static boolean isComposite(byte[] p) {
        return !Jdwp.isReply(p) && Jdwp.commandSet(p) == Jdwp.EVENT && Jdwp.command(p) == Jdwp.EVENT_COMPOSITE;
    }

    private static String describe(byte[] p) {
        return Jdwp.isReply(p) ? "a reply (id " + Jdwp.id(p) + ", error " + Jdwp.errorCode(p) + ")"
                : "a " + Jdwp.name(Jdwp.commandSet(p), Jdwp.command(p)) + " (id " + Jdwp.id(p) + ")";
    }

    /** One packet, or null at the end of the stream. */
    private static byte[] readPacket(DataInputStream in, String from) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        byte[] head = new byte[4];
        head[0] = (byte) first;
        in.readFully(head, 1, 3);
        int length = Jdwp.getInt(head, 0);
        if (length < Jdwp.HEADER) {
            throw new IOException("JDWP packet from " + from + " declares length " + length
                    + ", less than the 11-byte header");
        }
        byte[] p = new byte[length];
        System.arraycopy(head, 0, p, 0, 4);
        try {
            in.readFully(p, 4, length - 4);
        } catch (EOFException e) {
            throw new EOFException("the JDWP connection of " + from + " ended inside a packet of " + length + " bytes");
        }
        return p;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // ending anyway
        }
    }

    private enum State { OPEN, LEAVING, GONE }

    private interface ReplyHandler {
        void replied(byte[] reply) throws IOException;
    }

    private record Request(Client owner, int kind) {
    }

    private record Waiting(EventComposite composite, long setsBefore) {
    }

    /** Read by a client after its last packet: the end of the stream, or the failure that ended the router. */
    private record Ended(IOException failure) {
    }

    /** Wakes a client's reader after its own close. */
    private static final Object CLOSED = new Object();

    /** One debugger's view of the VM. */
    private final class Client extends Connection {
        final String name;
        /** Packets for this client, then an {@link Ended} or {@link #CLOSED}; added to under the router's lock. */
        final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        // guarded by the router's lock
        State state = State.OPEN;
        final SuspendLedger ledger = new SuspendLedger();
        final Set<Long> pinned = new HashSet<>();
        boolean holding;
        final List<byte[]> held = new ArrayList<>();
        volatile boolean closedByCaller;

        Client(String name) {
            this.name = name;
        }

        void deliver(byte[] p) {
            if (!closedByCaller) {
                inbox.add(p);
            }
        }

        void event(byte[] p) {
            if (holding) {
                held.add(p);
            } else {
                deliver(p);
            }
        }

        @Override
        public byte[] readPacket() throws IOException {
            if (closedByCaller) {
                throw new ClosedConnectionException(name + " has been closed");
            }
            Object x;
            try {
                x = inbox.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(name + ": interrupted while reading");
            }
            if (x instanceof byte[] p) {
                return p;
            }
            inbox.add(x); // the end stays for the next read
            if (closedByCaller) {
                throw new ClosedConnectionException(name + " has been closed");
            }
            IOException f = ((Ended) x).failure();
            if (f != null) {
                throw new IOException(f.getMessage(), f);
            }
            return new byte[0];
        }

        @Override
        public void writePacket(byte[] pkt) throws IOException {
            fromClient(this, pkt);
        }

        @Override
        public void close() {
            closeClient(this);
        }

        @Override
        public boolean isOpen() {
            return JdwpRouter.this.isOpen(this);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}

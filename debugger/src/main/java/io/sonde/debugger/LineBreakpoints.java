package io.sonde.debugger;

import com.sun.jdi.AbsentInformationException;
import com.sun.jdi.Location;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.EventRequest;
import com.sun.jdi.request.EventRequestManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code break File:line [if EXPR]} breakpoints of one session: JDI breakpoint requests in the
 * attached worker, limited to the task's thread, gone when the session detaches. A line is
 * resolved among the classes the worker has loaded whose source file matches: the top-level
 * class of that name and its nested and anonymous classes (lambdas' bodies are methods of the
 * class that declares them).
 */
final class LineBreakpoints {
    /** One {@code break}: where, its condition (null: none), its requests. */
    record Entry(int id, String file, int line, String condition, List<BreakpointRequest> requests) {
        String describe() {
            return "#" + id + "  " + file + ":" + line + (condition == null ? "" : "  if " + condition);
        }
    }

    private final VirtualMachine vm;
    private final ThreadReference thread;
    private final EventRequestManager requests;
    private final List<Entry> entries = new ArrayList<>();
    private int nextId = 1;

    LineBreakpoints(VirtualMachine vm, ThreadReference thread) {
        this.vm = vm;
        this.thread = thread;
        this.requests = vm.eventRequestManager();
    }

    List<Entry> all() {
        return List.copyOf(entries);
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The entry a breakpoint event's request belongs to. */
    Optional<Entry> owner(EventRequest r) {
        return entries.stream().filter(e -> e.requests().contains(r)).findFirst();
    }

    /** {@code Tasks.java:12}, {@code Tasks:12} or {@code io.x.Tasks:12}. */
    Entry add(String spec, String condition) {
        int colon = spec.lastIndexOf(':');
        if (colon <= 0) {
            throw new DebugException("usage: break FILE:LINE [if EXPR], e.g. break Tasks.java:12");
        }
        String where = spec.substring(0, colon).trim();
        int line;
        try {
            line = Integer.parseInt(spec.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
            throw new DebugException("usage: break FILE:LINE [if EXPR]; `" + spec.substring(colon + 1) + "` is not a line number");
        }
        List<ReferenceType> classes = classesOf(where);
        if (classes.isEmpty()) {
            throw new DebugException("No class from " + where + " is loaded in the worker yet; a class loads when the"
                    + " task first uses it, and breakpoints go into loaded classes only.");
        }
        List<BreakpointRequest> made = new ArrayList<>();
        for (ReferenceType t : classes) {
            made.addAll(requestsAt(requests, t, line, thread));
        }
        if (made.isEmpty()) {
            throw new DebugException(where + ":" + line + " has no code to stop at (a blank line, a comment or a"
                    + " declaration?); pick a line with a statement.");
        }
        String file = where.endsWith(".java") ? where : simpleFile(where);
        Entry e = new Entry(nextId++, file, line, condition, made);
        entries.add(e);
        return e;
    }

    /** Enabled breakpoint requests, for {@code thread} only, at every location of {@code line} in {@code type}. */
    static List<BreakpointRequest> requestsAt(EventRequestManager requests, ReferenceType type, int line,
                                              ThreadReference thread) {
        try {
            return requestsAt(requests, type.locationsOfLine(line), thread);
        } catch (AbsentInformationException ignored) {
            return List.of(); // compiled without line numbers: no lines to break at in this class
        }
    }

    /** Enabled breakpoint requests at these locations that stop {@code thread} only, and only that thread. */
    static List<BreakpointRequest> requestsAt(EventRequestManager requests, java.util.Collection<Location> locations,
                                              ThreadReference thread) {
        List<BreakpointRequest> made = new ArrayList<>();
        for (Location l : locations) {
            BreakpointRequest r = requests.createBreakpointRequest(l);
            r.addThreadFilter(thread);
            r.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
            r.enable();
            made.add(r);
        }
        return made;
    }

    /** Removes breakpoint {@code N} ({@code #N}) or the one at {@code FILE:LINE}. */
    Entry remove(String spec) {
        String s = spec.trim().startsWith("#") ? spec.trim().substring(1) : spec.trim();
        int colon = s.lastIndexOf(':');
        String base = colon < 0 ? null : simple(baseName(s.substring(0, colon).trim()));
        String line = colon < 0 ? null : s.substring(colon + 1).trim();
        Entry found = null;
        for (Entry e : entries) {
            boolean byId = s.equals(Integer.toString(e.id()));
            boolean byLine = base != null && line.equals(Integer.toString(e.line())) && simple(baseName(e.file())).equals(base);
            if (byId || byLine) {
                found = e;
                break;
            }
        }
        if (found == null) {
            throw new DebugException("No breakpoint " + spec.trim() + "; `break` lists them.");
        }
        requests.deleteEventRequests(found.requests());
        entries.remove(found);
        return found;
    }

    private static String simple(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    void clear() {
        for (Entry e : entries) {
            requests.deleteEventRequests(e.requests());
        }
        entries.clear();
    }

    private List<ReferenceType> classesOf(String where) {
        return classesOf(vm, where);
    }

    /** The loaded classes whose code {@code where} ({@code Tasks.java}, {@code Tasks}, {@code io.x.Tasks}) names. */
    static List<ReferenceType> classesOf(VirtualMachine vm, String where) {
        List<ReferenceType> out = new ArrayList<>();
        for (ReferenceType t : vm.allClasses()) {
            if (matches(t.name(), where)) {
                out.add(t);
            }
        }
        return out;
    }

    /** Whether class {@code name} is the top-level class {@code where} names, or nested in it. */
    static boolean matches(String name, String where) {
        if (name.indexOf('/') >= 0) {
            return false; // hidden classes carry no source lines
        }
        String base = baseName(where);
        if (base.contains("$")) {
            return name.equals(base) || name.startsWith(base + "$"); // a snippet's class: REPL.$JShell$7
        }
        String top = name.contains("$") ? name.substring(0, name.indexOf('$')) : name;
        return base.contains(".") ? top.equals(base) : top.equals(base) || top.endsWith("." + base);
    }

    /** The source file a class of {@code where} is compiled from: {@code Tasks.java}. */
    static String sourceFileOf(String where) {
        String base = baseName(where);
        return base.substring(base.lastIndexOf('.') + 1) + ".java";
    }

    /** {@code Tasks.java} and {@code io.x.Tasks} to {@code Tasks} / {@code io.x.Tasks}. */
    private static String baseName(String where) {
        return where.endsWith(".java") ? where.substring(0, where.length() - ".java".length()) : where;
    }

    private static String simpleFile(String className) {
        String s = className.substring(className.lastIndexOf('.') + 1);
        return s + ".java";
    }
}

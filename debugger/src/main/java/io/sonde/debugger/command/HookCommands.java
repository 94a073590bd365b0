package io.sonde.debugger.command;

import io.sonde.debugger.DebugException;
import io.sonde.debugger.expr.ParseException;
import io.sonde.debugger.expr.Parser;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.DebugHooksUpdate;
import io.sonde.debugger.proto.LineBreakpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Breakpoints without editing code: {@code break}, {@code clear}, {@code catch} and
 * {@code ignore} set them in every current and future worker of the cluster (the node keeps them
 * and each worker's own agent applies them); a task that reaches one stops there and is listed
 * like a {@code Sonde.breakpoint()}. Typed while attached, {@code break} also stops the attached
 * task at that line on {@code continue}.
 */
final class HookCommands {
    private static final Pattern FILE_LINE = Pattern.compile("(.+):(\\d+)");

    private HookCommands() {
    }

    /** {@code #1  Tasks.java:12  if i == 3}; a file that is a number is a snippet of the shell ({@code snippet 7:3}). */
    static String describe(LineBreakpoint l) {
        return "#" + l.getId() + "  " + (l.getFile().matches("\\d+") ? "snippet " : "") + l.getFile() + ":" + l.getLine()
                + (l.getCondition().isEmpty() ? "" : "  if " + l.getCondition());
    }

    static final class Break extends BaseCommand {
        Break() {
            super("break", List.of("b"), "break [FILE:LINE [if EXPR]]", Needs.NOTHING,
                    "stop every task that reaches a line, in every worker, now and later (in the shell, SNIPPET:LINE"
                            + " too); alone: list");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            if (args.isBlank()) {
                DebugHooks h = ctx.cluster().hooks();
                if (h.getLinesCount() == 0) {
                    ctx.out().println("No line breakpoints; set one with break FILE:LINE [if EXPR].");
                }
                for (LineBreakpoint l : h.getLinesList()) {
                    ctx.out().println(describe(l));
                }
                return Outcome.STAY;
            }
            String spec = args.trim();
            String condition = "";
            Matcher m = Pattern.compile("\\s+if\\s+").matcher(spec);
            if (m.find()) {
                condition = spec.substring(m.end()).trim();
                spec = spec.substring(0, m.start()).trim();
            }
            Matcher fl = FILE_LINE.matcher(spec);
            if (!fl.matches() || spec.contains(" ")) {
                throw new DebugException("usage: break FILE:LINE [if EXPR], e.g. break Tasks.java:12 if x > 3");
            }
            if (!condition.isEmpty()) {
                try {
                    Parser.parse(condition);
                } catch (ParseException e) {
                    throw new DebugException("Cannot read the condition `" + condition + "`: " + e.getMessage()
                            + " (at column " + (e.position() + 1) + ")");
                }
            }
            DebugHooks h = ctx.cluster().updateHooks(DebugHooksUpdate.newBuilder().addAddLines(LineBreakpoint.newBuilder()
                    .setFile(fl.group(1).trim()).setLine(Integer.parseInt(fl.group(2))).setCondition(condition)).build());
            LineBreakpoint made = h.getLines(h.getLinesCount() - 1);
            ctx.out().println("Breakpoint " + describe(made) + ": every worker stops a task that reaches it, and it is"
                    + " listed here.");
            if (ctx.session() != null && ctx.session().isAttached()) {
                // the attached task stops there too on continue: the line as the worker's classes know it
                LineBreakpoint compiled = ctx.cluster().compiledHooks().getLinesList().stream()
                        .filter(l -> l.getId() == made.getId()).findFirst().orElse(made);
                try {
                    ctx.session().addBreakpoint(compiled.getFile() + ":" + compiled.getLine(),
                            compiled.getCondition().isEmpty() ? null : compiled.getCondition());
                } catch (DebugException notLoaded) {
                    ctx.out().println("In the attached task: " + notLoaded.getMessage());
                }
            }
            return Outcome.STAY;
        }
    }

    static final class Clear extends BaseCommand {
        Clear() {
            super("clear", List.of(), "clear [N|FILE:LINE]", Needs.NOTHING, "remove a line breakpoint; alone: all of them");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            boolean attached = ctx.session() != null && ctx.session().isAttached();
            if (args.isBlank()) {
                ctx.cluster().updateHooks(DebugHooksUpdate.newBuilder().setRemoveAllLines(true).build());
                if (attached) {
                    ctx.session().clearBreakpoints();
                }
                ctx.out().println("Removed all line breakpoints.");
                return Outcome.STAY;
            }
            String s = args.trim().startsWith("#") ? args.trim().substring(1) : args.trim();
            List<LineBreakpoint> gone = new ArrayList<>();
            for (LineBreakpoint l : ctx.cluster().hooks().getLinesList()) {
                boolean byId = s.equals(Integer.toString(l.getId()));
                Matcher fl = FILE_LINE.matcher(s);
                boolean byLine = fl.matches() && Integer.parseInt(fl.group(2)) == l.getLine()
                        && simple(fl.group(1)).equals(simple(l.getFile()));
                if (byId || byLine) {
                    gone.add(l);
                }
            }
            if (gone.isEmpty()) {
                throw new DebugException("No breakpoint " + args.trim() + "; `break` lists them.");
            }
            DebugHooksUpdate.Builder u = DebugHooksUpdate.newBuilder();
            for (LineBreakpoint l : gone) {
                u.addRemoveLines(l.getId());
                if (attached) {
                    try {
                        ctx.session().clearBreakpoint(l.getFile() + ":" + l.getLine());
                    } catch (DebugException notInTask) {
                        // it was never set in the attached task (its class was not loaded)
                    }
                }
                ctx.out().println("Removed breakpoint " + describe(l));
            }
            ctx.cluster().updateHooks(u.build());
            return Outcome.STAY;
        }

        /** {@code io.x.Tasks.java}, {@code Tasks.java} and {@code Tasks} to {@code Tasks}. */
        private static String simple(String where) {
            String w = where.trim().endsWith(".java") ? where.trim().substring(0, where.trim().length() - 5) : where.trim();
            return w.substring(w.lastIndexOf('.') + 1);
        }
    }

    static final class Catch extends BaseCommand {
        Catch() {
            super("catch", List.of(), "catch [EXCEPTION_CLASS]", Needs.NOTHING,
                    "stop every task where it throws this class (or a subclass), in every worker; alone: list");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            if (args.isBlank()) {
                List<String> all = ctx.cluster().hooks().getCatchesList();
                ctx.out().println(all.isEmpty() ? "No exceptions are caught; catch one with catch CLASS."
                        : "Caught: " + String.join(", ", all));
                return Outcome.STAY;
            }
            String name = qualified(args.trim());
            ctx.cluster().updateHooks(DebugHooksUpdate.newBuilder().addAddCatches(name).build());
            ctx.out().println("Catching " + name + ": a task that throws it stops at the throw site, in every worker"
                    + (ctx.session() != null && ctx.session().isAttached() ? " (the attached task: once it goes on)" : "")
                    + ". `ignore " + name + "` undoes it.");
            return Outcome.STAY;
        }
    }

    static final class Ignore extends BaseCommand {
        Ignore() {
            super("ignore", List.of(), "ignore EXCEPTION_CLASS", Needs.NOTHING, "stop catching an exception class");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            if (args.isBlank()) {
                throw new DebugException("usage: ignore EXCEPTION_CLASS; `catch` lists the caught ones");
            }
            String name = qualified(args.trim());
            if (!ctx.cluster().hooks().getCatchesList().contains(name)) {
                throw new DebugException(name + " is not caught; `catch` lists the caught ones.");
            }
            ctx.cluster().updateHooks(DebugHooksUpdate.newBuilder().addRemoveCatches(name).build());
            ctx.out().println("No longer catching " + name + ".");
            return Outcome.STAY;
        }
    }

    /**
     * The exception's binary name: as typed if qualified; {@code IllegalStateException} and other
     * simple names of {@code java.lang}, {@code java.io} and {@code java.util} are completed.
     */
    static String qualified(String name) {
        if (!name.matches("[\\w.$]+")) {
            throw new DebugException("`" + name + "` is not a class name; e.g. catch java.io.IOException");
        }
        if (name.contains(".")) {
            return name;
        }
        for (String pkg : List.of("java.lang.", "java.io.", "java.util.", "java.util.concurrent.", "io.sonde.")) {
            try {
                Class.forName(pkg + name, false, HookCommands.class.getClassLoader());
                return pkg + name;
            } catch (ClassNotFoundException | LinkageError e) {
                // next package
            }
        }
        throw new DebugException("Which " + name + "? Give its full name, e.g. catch com.example." + name);
    }
}

package io.sonde.debugger.command;

import io.sonde.debugger.DebugException;
import io.sonde.debugger.proto.DebugHooks;
import io.sonde.debugger.proto.DebugHooksUpdate;
import io.sonde.debugger.proto.HookScope;
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

    private static final String ALL_JOBS = "--all-jobs";

    /** {@code #1  Tasks.java:12  if i == 3}; a file that is a number is a snippet of the shell ({@code snippet 7:3}). */
    static String describe(LineBreakpoint l) {
        return "#" + l.getId() + "  " + (l.getFile().matches("\\d+") ? "snippet " : "") + l.getFile() + ":" + l.getLine()
                + (l.getCondition().isEmpty() ? "" : "  if " + l.getCondition());
    }

    /** The listing's scope: {@code all jobs}, {@code job 01000000}, {@code jobs A, B}, {@code next job}. */
    static String scope(HookScope s) {
        if (s.getAllJobs()) {
            return "all jobs";
        }
        if (s.getJobIdsCount() == 0) {
            return "next job";
        }
        return (s.getJobIdsCount() == 1 ? "job " : "jobs ") + String.join(", ", s.getJobIdsList());
    }

    /** What `break` and `catch` say of how long what they set lasts. */
    static String lasts(HookScope s) {
        if (s.getAllJobs()) {
            return "in every job, now and later, until it is removed";
        }
        String again = " (" + ALL_JOBS + " keeps it for later jobs)";
        if (s.getJobIdsCount() == 0) {
            return "no job runs now: in the next job that starts, until that job ends" + again;
        }
        return "in " + scope(s) + ", until " + (s.getJobIdsCount() == 1 ? "it ends" : "they end") + again;
    }

    /** {@code --all-jobs REST} or {@code REST --all-jobs}: whether the option is there, and the rest. */
    private static String[] allJobsOption(String args) {
        String a = " " + args.trim() + " ";
        if (!a.contains(" " + ALL_JOBS + " ")) {
            return new String[] {"", args.trim()};
        }
        return new String[] {ALL_JOBS, a.replaceFirst(" " + ALL_JOBS + " ", " ").trim()};
    }

    /**
     * jdb's "Deferring breakpoint": when no file of that name is on the source path, nothing may
     * ever match, so say that the breakpoint waits for a class of that file to load.
     */
    private static void warnIfNothingMatches(CommandContext ctx, LineBreakpoint made) {
        String where = made.getFile();
        if (where.matches("\\d+") || ctx.sources() == null) {
            return; // a snippet of the shell: the shell knows its own
        }
        String base = where.endsWith(".java") ? where.substring(0, where.length() - 5) : where;
        String simple = base.substring(Math.max(base.lastIndexOf('.'), base.lastIndexOf('/')) + 1) + ".java";
        String packagePath = base.replace('.', '/') + ".java";
        if (!ctx.sources().locator().mayHold(packagePath, simple)) {
            ctx.out().println("Deferring breakpoint " + where + ":" + made.getLine() + ". It will be set after a class of "
                    + simple + " is loaded in a worker; no " + simple + " is on the source path ("
                    + String.join(", ", ctx.sources().locator().roots().stream().map(Object::toString).toList())
                    + "), so check the name (`clear " + made.getId() + "` removes it).");
        }
    }

    static final class Break extends BaseCommand {
        Break() {
            super("break", List.of("b"), "break [--all-jobs] [FILE:LINE [if EXPR]]", Needs.NOTHING,
                    "stop every task that reaches a line, in every worker of the running jobs (none: of the next job)"
                            + " until they end, or of every job with --all-jobs (in the shell, SNIPPET:LINE too);"
                            + " alone: list");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            if (args.isBlank()) {
                DebugHooks h = ctx.cluster().hooks();
                if (h.getLinesCount() == 0) {
                    ctx.out().println("No line breakpoints; set one with break FILE:LINE [if EXPR].");
                }
                for (LineBreakpoint l : h.getLinesList()) {
                    ctx.out().println(describe(l) + "  (" + scope(l.getScope()) + ")");
                }
                return Outcome.STAY;
            }
            String[] option = allJobsOption(args);
            String spec = option[1];
            String condition = "";
            Matcher m = Pattern.compile("\\s+if\\s+").matcher(spec);
            if (m.find()) {
                condition = spec.substring(m.end()).trim();
                spec = spec.substring(0, m.start()).trim();
            }
            Matcher fl = FILE_LINE.matcher(spec);
            if (!fl.matches() || spec.contains(" ")) {
                throw new DebugException("usage: break [--all-jobs] FILE:LINE [if EXPR], e.g. break Tasks.java:12 if x > 3");
            }
            DebugHooks h = ctx.cluster().updateHooks(DebugHooksUpdate.newBuilder().setAllJobs(!option[0].isEmpty())
                    .addAddLines(LineBreakpoint.newBuilder().setFile(fl.group(1).trim())
                            .setLine(Integer.parseInt(fl.group(2))).setCondition(condition)).build());
            LineBreakpoint made = h.getLines(h.getLinesCount() - 1);
            ctx.out().println("Breakpoint " + describe(made) + ": a task that reaches it stops and is listed here; "
                    + lasts(made.getScope()) + ".");
            warnIfNothingMatches(ctx, made);
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
            super("catch", List.of(), "catch [--all-jobs] [EXCEPTION_CLASS]", Needs.NOTHING,
                    "stop every task where it throws this class (or a subclass), in the running jobs (none: the next"
                            + " job) until they end, or in every job with --all-jobs; alone: list");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            if (args.isBlank()) {
                DebugHooks h = ctx.cluster().hooks();
                List<String> all = new ArrayList<>();
                for (int i = 0; i < h.getCatchesCount(); i++) {
                    all.add(h.getCatches(i) + (i < h.getCatchScopesCount() ? " (" + scope(h.getCatchScopes(i)) + ")" : ""));
                }
                ctx.out().println(all.isEmpty() ? "No exceptions are caught; catch one with catch CLASS."
                        : "Caught: " + String.join(", ", all));
                return Outcome.STAY;
            }
            String[] option = allJobsOption(args);
            String name = qualified(option[1]);
            DebugHooks h = ctx.cluster().updateHooks(DebugHooksUpdate.newBuilder().setAllJobs(!option[0].isEmpty())
                    .addAddCatches(name).build());
            int at = h.getCatchesList().indexOf(name);
            String lasts = at >= 0 && at < h.getCatchScopesCount() ? "; " + lasts(h.getCatchScopes(at)) : "";
            ctx.out().println("Catching " + name + ": a task that throws it stops at the throw site"
                    + (ctx.session() != null && ctx.session().isAttached() ? " (the attached task: once it goes on)" : "")
                    + lasts + ". `ignore " + name + "` undoes it.");
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

package io.sonde.debugger.command;

import io.sonde.debugger.DebugException;
import io.sonde.debugger.DebugSession;

import java.util.List;

/** Looking at and changing the task's values. */
final class DataCommands {
    private DataCommands() {
    }

    static final class Locals extends BaseCommand {
        Locals() {
            super("locals", List.of(), "locals", Needs.STOPPED, "show this and the frame's local variables");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            noArguments(args);
            List<DebugSession.Variable> vars = ctx.session().locals();
            if (vars.isEmpty()) {
                ctx.out().println("(no local variables here)");
            }
            for (DebugSession.Variable v : vars) {
                ctx.out().println(v.value().isEmpty() && v.name().startsWith("(") ? v.name() : v.name() + " = " + v.value());
            }
            return Outcome.STAY;
        }
    }

    static final class Print extends BaseCommand {
        Print() {
            super("print", List.of("p"), "print [-v] EXPR", Needs.STOPPED,
                    "evaluate any Java expression in the frame (lambdas, new, streams, varargs...): names, fields and"
                            + " calls are read at once, the rest is compiled with javac; -v says which path answered");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            String expr = args.trim();
            boolean verbose = expr.equals("-v") || expr.startsWith("-v ");
            if (verbose) {
                expr = expr.substring(2).trim();
            }
            if (expr.isEmpty()) {
                throw new DebugException("usage: print [-v] EXPR, e.g. print x * 2 or print list.stream().map(v -> v + 1).toList()");
            }
            String shown = expr;
            DebugSession.Evaluation e = Interruptible.run(ctx, () -> ctx.session().evaluateVerbose(shown));
            ctx.out().println(expr + " = " + e.value());
            if (verbose) {
                ctx.out().println("(" + e.path() + ")");
            }
            return Outcome.STAY;
        }
    }

    static final class Exec extends BaseCommand {
        Exec() {
            super("exec", List.of("!"), "exec STMT;...", Needs.STOPPED,
                    "run Java statements in the frame, compiled; locals they assign, and fields, keep the new values");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            if (args.isBlank()) {
                throw new DebugException("usage: exec STMT;... (or ! STMT), e.g. exec x = x + 1; list.add(4);");
            }
            ctx.out().println(Interruptible.run(ctx, () -> ctx.session().execute(args.trim())));
            return Outcome.STAY;
        }
    }

    static final class Display extends BaseCommand {
        Display() {
            super("display", List.of(), "display [EXPR]", Needs.ATTACHED,
                    "show EXPR at every stop of this session (alone: show them all now)");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            if (!args.isBlank()) {
                int n = ctx.session().addDisplay(args.trim());
                ctx.out().println("Display " + n + ": " + args.trim() + " (shown at every stop; undisplay " + n + " removes it)");
            }
            List<String> shown = ctx.session().displays();
            if (shown.isEmpty()) {
                ctx.out().println("No displays; add one with display EXPR.");
            }
            if (args.isBlank()) {
                shown.forEach(ctx.out()::println);
            } else {
                ctx.out().println(shown.get(shown.size() - 1));
            }
            return Outcome.STAY;
        }
    }

    static final class Undisplay extends BaseCommand {
        Undisplay() {
            super("undisplay", List.of(), "undisplay N", Needs.ATTACHED, "stop showing display N");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            int n;
            try {
                n = Integer.parseInt(args.trim());
            } catch (NumberFormatException e) {
                throw new DebugException("usage: undisplay N, N as display lists it");
            }
            ctx.out().println("Display " + n + " removed: " + ctx.session().removeDisplay(n));
            return Outcome.STAY;
        }
    }

    static final class Watch extends BaseCommand {
        Watch() {
            super("watch", List.of(), "watch FIELD", Needs.STOPPED,
                    "stop (on continue) when the task writes FIELD: a field of the frame's class, or Class.field");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            if (args.isBlank()) {
                throw new DebugException("usage: watch FIELD, e.g. watch count or watch Counter.n");
            }
            String what = ctx.session().watch(args.trim());
            ctx.out().println("Watching " + what + ": continue stops where the task writes it.");
            return Outcome.STAY;
        }
    }

    static final class Set extends BaseCommand {
        Set() {
            super("set", List.of(), "set VAR = EXPR", Needs.STOPPED, "set a local, a field or an array element");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            if (!args.contains("=")) {
                throw new DebugException("usage: set VAR = EXPR, e.g. set x = 10 or set this.n = n + 1");
            }
            String target = args.substring(0, args.indexOf('=')).trim();
            ctx.out().println(target + " = " + ctx.session().set(args.trim()));
            return Outcome.STAY;
        }
    }
}

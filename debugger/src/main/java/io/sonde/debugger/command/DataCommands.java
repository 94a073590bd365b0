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
            super("print", List.of("p"), "print EXPR", Needs.STOPPED,
                    "evaluate a Java expression in the frame: locals, fields, calls, arithmetic");
        }

        @Override
        public Outcome run(CommandContext ctx, String args) {
            if (args.isBlank()) {
                throw new DebugException("usage: print EXPR, e.g. print x * 2 or print name.length()");
            }
            ctx.out().println(args.trim() + " = " + ctx.session().evaluate(args.trim()));
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

package io.sonde.debugger.expr;

import java.util.List;

/** The syntax tree of a debugger expression: the subset of Java that {@link Parser} reads. */
public sealed interface Expr {
    /** A literal; {@code value} is a boxed Integer, Long, Float, Double, Character, Boolean, a String, or null. */
    record Literal(Object value) implements Expr {
    }

    /** A simple name: a local, a field of {@code this} or of the frame's class, a class, or a package prefix. */
    record Name(String name) implements Expr {
    }

    record This() implements Expr {
    }

    /** {@code target.name}: a field, {@code array.length}, a nested class or the next part of a qualified name. */
    record Field(Expr target, String name) implements Expr {
    }

    /** {@code target.name(args)}, or {@code name(args)} on the frame's object or class when target is null. */
    record Call(Expr target, String name, List<Expr> args) implements Expr {
    }

    record Index(Expr array, Expr index) implements Expr {
    }

    /** {@code - + ! ~} */
    record Unary(String op, Expr operand) implements Expr {
    }

    record Binary(String op, Expr left, Expr right) implements Expr {
    }

    record Conditional(Expr condition, Expr ifTrue, Expr ifFalse) implements Expr {
    }

    /** A cast to a primitive type: {@code (int) d}. */
    record Cast(String type, Expr operand) implements Expr {
    }
}

package io.sonde.debugger.expr;

import io.sonde.debugger.expr.Lexer.Kind;
import io.sonde.debugger.expr.Lexer.Token;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A recursive-descent parser for the Java expressions the debugger evaluates: literals, names,
 * {@code this}, field access, method calls, array indexing, unary and binary operators with Java's
 * precedence, {@code ?:} and casts to primitive types. One method per precedence level, lowest first.
 */
public final class Parser {
    private static final Set<String> PRIMITIVES = Set.of("int", "long", "short", "byte", "char", "float", "double", "boolean");
    private static final Set<String> UNSUPPORTED = Set.of("new", "instanceof", "switch", "super", "class");

    private final List<Token> tokens;
    private int at;
    /** The index of the token right after the last unary minus read: the only place 2^31 and 2^63 may stand. */
    private int afterMinus = -1;

    private Parser(String source) {
        this.tokens = Lexer.tokens(source);
    }

    /** The whole string as one expression. */
    public static Expr parse(String source) {
        Parser p = new Parser(source);
        if (p.peek().kind() == Kind.END) {
            throw new ParseException("an expression is missing", 0);
        }
        Expr e = p.expression();
        p.expectEnd();
        return e;
    }

    /**
     * {@code TARGET = VALUE} as used by {@code set}: the target is a name, a field or an array
     * element.
     */
    public static Expr[] parseAssignment(String source) {
        Parser p = new Parser(source);
        Expr target = p.postfix();
        if (!(target instanceof Expr.Name || target instanceof Expr.Field || target instanceof Expr.Index)) {
            throw new ParseException("set what? Say `set NAME = EXPR`, `set obj.field = EXPR` or `set a[i] = EXPR`", 0);
        }
        if (!p.peek().is("=")) {
            throw new ParseException("expected '=' after the variable, found " + p.peek(), p.peek().pos());
        }
        p.at++;
        Expr value = p.expression();
        p.expectEnd();
        return new Expr[] {target, value};
    }

    private void expectEnd() {
        if (peek().kind() != Kind.END) {
            throw new ParseException("unexpected " + peek() + " after the expression", peek().pos());
        }
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(at + ahead, tokens.size() - 1));
    }

    private Token next() {
        return tokens.get(at++);
    }

    private boolean accept(String op) {
        if (peek().is(op)) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(String op) {
        if (!accept(op)) {
            throw new ParseException("expected '" + op + "', found " + peek(), peek().pos());
        }
    }

    private Expr expression() {
        return conditional();
    }

    private Expr conditional() {
        Expr c = binary(0);
        if (accept("?")) {
            Expr a = expression();
            expect(":");
            Expr b = conditional();
            return new Expr.Conditional(c, a, b);
        }
        return c;
    }

    /** Binary operators by precedence, loosest first; each level is left-associative. */
    private static final String[][] LEVELS = {
            {"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">="},
            {"<<", ">>", ">>>"}, {"+", "-"}, {"*", "/", "%"}};

    private Expr binary(int level) {
        if (level == LEVELS.length) {
            return unary();
        }
        Expr left = binary(level + 1);
        while (true) {
            String op = null;
            for (String o : LEVELS[level]) {
                if (peek().is(o)) {
                    op = o;
                    break;
                }
            }
            if (op == null) {
                if (peek().kind() == Kind.IDENT && peek().text().equals("instanceof")) {
                    throw new ParseException("instanceof is not supported by the debugger's evaluator", peek().pos());
                }
                return left;
            }
            at++;
            left = new Expr.Binary(op, left, binary(level + 1));
        }
    }

    private Expr unary() {
        Token t = peek();
        if (t.is("-") || t.is("+") || t.is("!") || t.is("~")) {
            at++;
            if (t.is("-")) {
                afterMinus = at;
            }
            Expr operand = unary();
            if (t.is("-") && operand instanceof Expr.Literal l && l.value() instanceof Number) {
                return new Expr.Literal(negate(l.value())); // -2147483648 and friends stay literals
            }
            return new Expr.Unary(t.text(), operand);
        }
        if (t.is("(") && peek(1).kind() == Kind.IDENT && PRIMITIVES.contains(peek(1).text()) && peek(2).is(")")) {
            String type = peek(1).text();
            at += 3;
            return new Expr.Cast(type, unary());
        }
        return postfix();
    }

    private static Object negate(Object v) {
        if (v instanceof Integer i) {
            return -i;
        }
        if (v instanceof Long l) {
            return -l;
        }
        if (v instanceof Float f) {
            return -f;
        }
        return -(Double) v;
    }

    private Expr postfix() {
        Expr e = primary();
        while (true) {
            if (accept(".")) {
                Token name = next();
                if (name.kind() != Kind.IDENT) {
                    throw new ParseException("expected a name after '.', found " + name, name.pos());
                }
                if (UNSUPPORTED.contains(name.text())) {
                    throw new ParseException("'." + name.text() + "' is not supported by the debugger's evaluator", name.pos());
                }
                if (peek().is("(")) {
                    e = new Expr.Call(e, name.text(), arguments());
                } else {
                    e = new Expr.Field(e, name.text());
                }
            } else if (accept("[")) {
                Expr index = expression();
                expect("]");
                e = new Expr.Index(e, index);
            } else {
                return e;
            }
        }
    }

    private List<Expr> arguments() {
        expect("(");
        List<Expr> args = new ArrayList<>();
        if (!accept(")")) {
            do {
                args.add(expression());
            } while (accept(","));
            expect(")");
        }
        return args;
    }

    private Expr primary() {
        Token t = next();
        switch (t.kind()) {
            case INT, LONG, FLOAT, DOUBLE, CHAR, STRING -> {
                if (minValueSpelledPositive(t) && at - 1 != afterMinus) {
                    throw new ParseException(t.kind() == Kind.INT
                            ? "integer literal " + t.text() + " is too large for an int; add L for a long"
                            : "integer literal " + t.text() + " is too large for a long", t.pos());
                }
                return new Expr.Literal(t.value());
            }
            case IDENT -> {
                switch (t.text()) {
                    case "true" -> {
                        return new Expr.Literal(Boolean.TRUE);
                    }
                    case "false" -> {
                        return new Expr.Literal(Boolean.FALSE);
                    }
                    case "null" -> {
                        return new Expr.Literal(null);
                    }
                    case "this" -> {
                        return new Expr.This();
                    }
                    default -> {
                        if (UNSUPPORTED.contains(t.text())) {
                            throw new ParseException("'" + t.text() + "' is not supported by the debugger's evaluator"
                                    + (t.text().equals("new") ? " (it cannot create objects, except strings)" : ""), t.pos());
                        }
                        if (peek().is("(")) {
                            return new Expr.Call(null, t.text(), arguments());
                        }
                        return new Expr.Name(t.text());
                    }
                }
            }
            case OP -> {
                if (t.is("(")) {
                    if (peek().is(")") || lambdaAhead()) {
                        throw new ParseException("lambdas are not supported by the debugger's evaluator", t.pos());
                    }
                    if (classCastAhead()) {
                        throw new ParseException("casts to class types are not supported by the debugger's evaluator,"
                                + " only to primitive types", t.pos());
                    }
                    Expr e = expression();
                    expect(")");
                    return e;
                }
                throw new ParseException("unexpected " + t, t.pos());
            }
            default -> throw new ParseException("the expression ends too early", t.pos());
        }
    }

    /**
     * 2147483648 or 9223372036854775808L, which the lexer reads as MIN_VALUE: Java allows them only
     * as the operand of a unary minus. A hex, octal or binary MIN_VALUE starts with 0 and is fine anywhere.
     */
    private static boolean minValueSpelledPositive(Token t) {
        boolean min = t.kind() == Kind.INT && t.value().equals(Integer.MIN_VALUE)
                || t.kind() == Kind.LONG && t.value().equals(Long.MIN_VALUE);
        return min && !t.text().startsWith("0");
    }

    /**
     * {@code (Name) x} or {@code (a.b.Name) (x)}: a qualified name in parentheses followed by
     * something that can only be a cast's operand. {@code (a) + b} stays a parenthesized name, as in Java.
     */
    private boolean classCastAhead() {
        int i = at;
        if (tokens.get(i).kind() != Kind.IDENT) {
            return false;
        }
        while (tokens.get(i + 1).is(".") && tokens.get(i + 2).kind() == Kind.IDENT) {
            i += 2;
        }
        if (!tokens.get(i + 1).is(")")) {
            return false;
        }
        Token after = tokens.get(i + 2);
        return switch (after.kind()) {
            case IDENT -> !after.text().equals("instanceof");
            case INT, LONG, FLOAT, DOUBLE, CHAR, STRING -> true;
            case OP -> after.is("(") || after.is("!") || after.is("~");
            default -> false;
        };
    }

    /** {@code (a, b) ->} or {@code (a) ->}: a lambda's parameter list. */
    private boolean lambdaAhead() {
        int depth = 1;
        for (int i = at; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.is("(")) {
                depth++;
            } else if (t.is(")") && --depth == 0) {
                return tokens.get(Math.min(i + 1, tokens.size() - 1)).is("-") && tokens.get(Math.min(i + 2, tokens.size() - 1)).is(">");
            }
        }
        return false;
    }
}

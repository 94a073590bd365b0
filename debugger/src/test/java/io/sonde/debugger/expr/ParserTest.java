package io.sonde.debugger.expr;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parser on its own: the tree each construct gives, Java's precedence, and the errors for what it does not read. */
class ParserTest {

    private static Expr lit(Object v) {
        return new Expr.Literal(v);
    }

    private static Expr name(String n) {
        return new Expr.Name(n);
    }

    private static Expr bin(String op, Expr l, Expr r) {
        return new Expr.Binary(op, l, r);
    }

    private static Expr un(String op, Expr e) {
        return new Expr.Unary(op, e);
    }

    private static Expr field(Expr target, String n) {
        return new Expr.Field(target, n);
    }

    private static Expr call(Expr target, String n, Expr... args) {
        return new Expr.Call(target, n, List.of(args));
    }

    /** Asserts that {@code source} does not parse, with that message at that 0-based column. */
    private static void assertRejected(String source, String message, int position) {
        assertThatThrownBy(() -> Parser.parse(source))
                .as("parse of %s", source)
                .isInstanceOf(ParseException.class)
                .hasMessage(message)
                .extracting(e -> ((ParseException) e).position()).isEqualTo(position);
    }

    @Test
    void literalsOfEveryKindBecomeTheirJavaValue() {
        assertThat(Parser.parse("7")).isEqualTo(lit(7));
        assertThat(Parser.parse("7L")).isEqualTo(lit(7L));
        assertThat(Parser.parse("0x10")).isEqualTo(lit(16));
        assertThat(Parser.parse("2.5")).isEqualTo(lit(2.5));
        assertThat(Parser.parse("2.5f")).isEqualTo(lit(2.5f));
        assertThat(Parser.parse("'c'")).isEqualTo(lit('c'));
        assertThat(Parser.parse("\"a\\\"b\"")).isEqualTo(lit("a\"b"));
        assertThat(Parser.parse("true")).isEqualTo(lit(true));
        assertThat(Parser.parse("false")).isEqualTo(lit(false));
        assertThat(Parser.parse("null")).isEqualTo(lit(null));
        assertThat(Parser.parse("this")).isEqualTo(new Expr.This());
        assertThat(Parser.parse("count")).isEqualTo(name("count"));
    }

    @Test
    void multiplicationBindsTighterThanAddition() {
        assertThat(Parser.parse("1 + 2 * 3")).isEqualTo(bin("+", lit(1), bin("*", lit(2), lit(3))));
        assertThat(Parser.parse("1 * 2 + 3")).isEqualTo(bin("+", bin("*", lit(1), lit(2)), lit(3)));
        assertThat(Parser.parse("a % b - c / d"))
                .isEqualTo(bin("-", bin("%", name("a"), name("b")), bin("/", name("c"), name("d"))));
    }

    @Test
    void binaryOperatorsOfOneLevelAssociateToTheLeft() {
        assertThat(Parser.parse("10 - 4 - 3")).isEqualTo(bin("-", bin("-", lit(10), lit(4)), lit(3)));
        assertThat(Parser.parse("a / b * c")).isEqualTo(bin("*", bin("/", name("a"), name("b")), name("c")));
        assertThat(Parser.parse("a == b != c")).isEqualTo(bin("!=", bin("==", name("a"), name("b")), name("c")));
        assertThat(Parser.parse("a && b && c")).isEqualTo(bin("&&", bin("&&", name("a"), name("b")), name("c")));
    }

    @Test
    void precedenceFollowsJavaFromShiftsToConditionalOr() {
        assertThat(Parser.parse("1 << 2 + 3")).isEqualTo(bin("<<", lit(1), bin("+", lit(2), lit(3))));
        assertThat(Parser.parse("a < b << c")).isEqualTo(bin("<", name("a"), bin("<<", name("b"), name("c"))));
        assertThat(Parser.parse("a == b < c")).isEqualTo(bin("==", name("a"), bin("<", name("b"), name("c"))));
        assertThat(Parser.parse("a & b == c")).isEqualTo(bin("&", name("a"), bin("==", name("b"), name("c"))));
        assertThat(Parser.parse("a | b ^ c & d"))
                .isEqualTo(bin("|", name("a"), bin("^", name("b"), bin("&", name("c"), name("d")))));
        assertThat(Parser.parse("a || b && c")).isEqualTo(bin("||", name("a"), bin("&&", name("b"), name("c"))));
        assertThat(Parser.parse("a && b | c")).isEqualTo(bin("&&", name("a"), bin("|", name("b"), name("c"))));
        assertThat(Parser.parse("x >>> 2 >> 1")).isEqualTo(bin(">>", bin(">>>", name("x"), lit(2)), lit(1)));
    }

    @Test
    void parenthesesOverridePrecedenceAndLeaveNoNodeOfTheirOwn() {
        assertThat(Parser.parse("(1 + 2) * 3")).isEqualTo(bin("*", bin("+", lit(1), lit(2)), lit(3)));
        assertThat(Parser.parse("((a))")).isEqualTo(name("a"));
        assertThat(Parser.parse("a - (b - c)")).isEqualTo(bin("-", name("a"), bin("-", name("b"), name("c"))));
    }

    @Test
    void unaryOperatorsBindTighterThanBinaryOnes() {
        assertThat(Parser.parse("-x")).isEqualTo(un("-", name("x")));
        assertThat(Parser.parse("+x")).isEqualTo(un("+", name("x")));
        assertThat(Parser.parse("~x")).isEqualTo(un("~", name("x")));
        assertThat(Parser.parse("!a && b")).isEqualTo(bin("&&", un("!", name("a")), name("b")));
        assertThat(Parser.parse("-a * b")).isEqualTo(bin("*", un("-", name("a")), name("b")));
        assertThat(Parser.parse("!!a")).isEqualTo(un("!", un("!", name("a"))));
        assertThat(Parser.parse("-p.x")).isEqualTo(un("-", field(name("p"), "x")));
    }

    @Test
    void aMinusBeforeANumberFoldsIntoTheLiteral() {
        assertThat(Parser.parse("-5")).isEqualTo(lit(-5));
        assertThat(Parser.parse("-2147483648")).isEqualTo(lit(Integer.MIN_VALUE));
        assertThat(Parser.parse("-9223372036854775808L")).isEqualTo(lit(Long.MIN_VALUE));
        assertThat(Parser.parse("- -2147483648")).isEqualTo(lit(Integer.MIN_VALUE));
        assertThat(Parser.parse("-0x80000000")).isEqualTo(lit(Integer.MIN_VALUE));
        assertThat(Parser.parse("-1.5f")).isEqualTo(lit(-1.5f));
        assertThat(Parser.parse("- -5")).isEqualTo(lit(5));
        assertThat(Parser.parse("3 - -2")).isEqualTo(bin("-", lit(3), lit(-2)));
    }

    @Test
    void twoToThe31Or63IsAnIntegerLiteralOnlyAfterAUnaryMinus() {
        // As in Java: 2147483648 fits an int only as -2147483648; anywhere else it is a mistake, not MIN_VALUE.
        assertRejected("2147483648", "integer literal 2147483648 is too large for an int; add L for a long", 0);
        assertRejected("1 - 2147483648", "integer literal 2147483648 is too large for an int; add L for a long", 4);
        assertRejected("-(2147483648)", "integer literal 2147483648 is too large for an int; add L for a long", 2);
        assertRejected("9223372036854775808L", "integer literal 9223372036854775808L is too large for a long", 0);
        assertThat(Parser.parse("0x80000000")).isEqualTo(lit(Integer.MIN_VALUE));
        assertThat(Parser.parse("2147483648L")).isEqualTo(lit(2147483648L));
    }

    @Test
    void aCastToAPrimitiveAppliesToTheUnaryExpressionAfterIt() {
        assertThat(Parser.parse("(int) d")).isEqualTo(new Expr.Cast("int", name("d")));
        assertThat(Parser.parse("(int) d * 2")).isEqualTo(bin("*", new Expr.Cast("int", name("d")), lit(2)));
        assertThat(Parser.parse("(long) -x")).isEqualTo(new Expr.Cast("long", un("-", name("x"))));
        assertThat(Parser.parse("(char) (c + 1)")).isEqualTo(new Expr.Cast("char", bin("+", name("c"), lit(1))));
        assertThat(Parser.parse("(double) (int) 2.5")).isEqualTo(new Expr.Cast("double", new Expr.Cast("int", lit(2.5))));
    }

    @Test
    void theConditionalIsLowestAndNestsToTheRight() {
        assertThat(Parser.parse("a ? 1 : 2")).isEqualTo(new Expr.Conditional(name("a"), lit(1), lit(2)));
        assertThat(Parser.parse("a || b ? x + 1 : y"))
                .isEqualTo(new Expr.Conditional(bin("||", name("a"), name("b")), bin("+", name("x"), lit(1)), name("y")));
        assertThat(Parser.parse("a ? b : c ? d : e"))
                .isEqualTo(new Expr.Conditional(name("a"), name("b"), new Expr.Conditional(name("c"), name("d"), name("e"))));
        assertThat(Parser.parse("a ? b ? 1 : 2 : 3"))
                .isEqualTo(new Expr.Conditional(name("a"), new Expr.Conditional(name("b"), lit(1), lit(2)), lit(3)));
    }

    @Test
    void fieldAccessChainsFromTheLeft() {
        assertThat(Parser.parse("a.b.c")).isEqualTo(field(field(name("a"), "b"), "c"));
        assertThat(Parser.parse("this.count")).isEqualTo(field(new Expr.This(), "count"));
        assertThat(Parser.parse("java.lang.Integer.MAX_VALUE"))
                .isEqualTo(field(field(field(name("java"), "lang"), "Integer"), "MAX_VALUE"));
    }

    @Test
    void methodCallsTakeTheirArgumentsAsFullExpressions() {
        assertThat(Parser.parse("list.size()")).isEqualTo(call(name("list"), "size"));
        assertThat(Parser.parse("s.substring(1, n - 1)"))
                .isEqualTo(call(name("s"), "substring", lit(1), bin("-", name("n"), lit(1))));
        assertThat(Parser.parse("twice(a ? 1 : 2)"))
                .isEqualTo(call(null, "twice", new Expr.Conditional(name("a"), lit(1), lit(2))));
        assertThat(Parser.parse("s.trim().length()")).isEqualTo(call(call(name("s"), "trim"), "length"));
        assertThat(Parser.parse("Math.max(a, b).x")).isEqualTo(field(call(name("Math"), "max", name("a"), name("b")), "x"));
    }

    @Test
    void arrayIndexingChainsWithFieldsAndCalls() {
        assertThat(Parser.parse("a[0]")).isEqualTo(new Expr.Index(name("a"), lit(0)));
        assertThat(Parser.parse("m[i][j + 1]"))
                .isEqualTo(new Expr.Index(new Expr.Index(name("m"), name("i")), bin("+", name("j"), lit(1))));
        assertThat(Parser.parse("p.items[2].name"))
                .isEqualTo(field(new Expr.Index(field(name("p"), "items"), lit(2)), "name"));
        assertThat(Parser.parse("a[i].length")).isEqualTo(field(new Expr.Index(name("a"), name("i")), "length"));
        assertThat(Parser.parse("-a[0]")).isEqualTo(un("-", new Expr.Index(name("a"), lit(0))));
    }

    @Test
    void anAssignmentSplitsIntoTargetAndValue() {
        assertThat(Parser.parseAssignment("x = 1 + 2")).containsExactly(name("x"), bin("+", lit(1), lit(2)));
        assertThat(Parser.parseAssignment("p.x = -1")).containsExactly(field(name("p"), "x"), lit(-1));
        assertThat(Parser.parseAssignment("a[i] = b")).containsExactly(new Expr.Index(name("a"), name("i")), name("b"));
    }

    @Test
    void anAssignmentToSomethingOtherThanAVariableSaysWhatCanBeSet() {
        assertThatThrownBy(() -> Parser.parseAssignment("f() = 1"))
                .isInstanceOf(ParseException.class)
                .hasMessage("set what? Say `set NAME = EXPR`, `set obj.field = EXPR` or `set a[i] = EXPR`");
        assertThatThrownBy(() -> Parser.parseAssignment("x == 1"))
                .isInstanceOf(ParseException.class)
                .hasMessage("expected '=' after the variable, found '=='")
                .extracting(e -> ((ParseException) e).position()).isEqualTo(2);
        assertThatThrownBy(() -> Parser.parseAssignment("x = 1 2"))
                .isInstanceOf(ParseException.class)
                .hasMessage("unexpected '2' after the expression");
    }

    @Test
    void instanceofIsRejectedWhereItStands() {
        assertRejected("o instanceof String", "instanceof is not supported by the debugger's evaluator", 2);
        assertRejected("a + b instanceof Object", "instanceof is not supported by the debugger's evaluator", 6);
    }

    @Test
    void objectCreationClassLiteralsAndLambdasAreRejectedByName() {
        assertRejected("new Object()", "'new' is not supported by the debugger's evaluator (it cannot create objects, except strings)", 0);
        assertRejected("x + String.class", "'.class' is not supported by the debugger's evaluator", 11);
        assertRejected("super.toString()", "'super' is not supported by the debugger's evaluator", 0);
        assertRejected("() -> 1", "lambdas are not supported by the debugger's evaluator", 0);
        assertRejected("f((a, b) -> a)", "lambdas are not supported by the debugger's evaluator", 2);
    }

    @Test
    void anEmptyExpressionIsMissing() {
        assertRejected("", "an expression is missing", 0);
        assertRejected("   ", "an expression is missing", 0);
    }

    @Test
    void anExpressionCutShortSaysSo() {
        assertRejected("1 +", "the expression ends too early", 3);
        assertRejected("a.", "expected a name after '.', found end of expression", 2);
        assertRejected("(1 + 2", "expected ')', found end of expression", 6);
        assertRejected("a[1", "expected ']', found end of expression", 3);
        assertRejected("f(1, 2", "expected ')', found end of expression", 6);
        assertRejected("a ? b", "expected ':', found end of expression", 5);
    }

    @Test
    void aStrayTokenIsNamedWithItsPosition() {
        assertRejected("1 2", "unexpected '2' after the expression", 2);
        assertRejected("a = 1", "unexpected '=' after the expression", 2);
        assertRejected("f(1,)", "unexpected ')'", 4);
        assertRejected("* 3", "unexpected '*'", 0);
        assertRejected("a.(b)", "expected a name after '.', found '('", 2);
        assertRejected("a ? b ; c", "unexpected character ';'", 6);
    }

    @Test
    void aCastToAClassIsRejectedAsUnsupported() {
        String message = "casts to class types are not supported by the debugger's evaluator, only to primitive types";
        assertRejected("(String) o", message, 0);
        assertRejected("x + (java.util.List) o", message, 4);
        assertRejected("(Object) \"s\"", message, 0);
        assertRejected("(Integer) (x)", message, 0);
        // Not casts: a parenthesized name followed by an operator or the end.
        assertThat(Parser.parse("(a) + b")).isEqualTo(bin("+", name("a"), name("b")));
        assertThat(Parser.parse("(a.b)")).isEqualTo(field(name("a"), "b"));
        assertThat(Parser.parse("(a) ? 1 : 2")).isEqualTo(new Expr.Conditional(name("a"), lit(1), lit(2)));
    }
}

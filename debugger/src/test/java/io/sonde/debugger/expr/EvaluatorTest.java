package io.sonde.debugger.expr;

import com.sun.jdi.Value;
import io.sonde.debugger.DebugException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The evaluator against a real JDI frame: one JVM runs {@link EvaluatorTarget}, stopped in
 * {@code here()}; every expression is evaluated in the frame of {@code run()} above it, as
 * {@code print} does after {@code up}. Values are checked as the debugger shows them
 * ({@link ValueRenderer}) and, where promotion matters, by their JDI type.
 */
class EvaluatorTest {
    private static StoppedVm target;

    private Invoker invoker;
    private Evaluator evaluator;

    @BeforeAll
    static void launch() throws Exception {
        target = StoppedVm.launch(EvaluatorTarget.class, "here");
    }

    @AfterAll
    static void exit() throws InterruptedException {
        if (target != null) {
            target.close();
        }
    }

    @BeforeEach
    void openEvaluator() {
        invoker = new Invoker(target.vm(), target.thread());
        evaluator = new Evaluator(invoker, () -> target.frame(1));
    }

    @AfterEach
    void closeEvaluator() {
        evaluator.close();
    }

    /** What {@code print EXPR} shows. */
    private String print(String expression) {
        return new ValueRenderer(invoker).render(evaluator.evaluate(expression));
    }

    /** The JDI type name of the value, {@code int}, {@code java.lang.String}...; "null" for null. */
    private String typeOf(String expression) {
        Value v = evaluator.evaluate(expression);
        return v == null ? "null" : v.type().name();
    }

    private void assertFails(String expression, String message) {
        assertThatThrownBy(() -> evaluator.evaluate(expression))
                .as("evaluate %s", expression)
                .isInstanceOf(DebugException.class)
                .hasMessage(message);
    }

    @Test
    void localsOfEveryKindAreShownAsJavaWritesThem() {
        assertThat(print("i")).isEqualTo("7");
        assertThat(print("big")).isEqualTo("10000000000");
        assertThat(print("d")).isEqualTo("2.5");
        assertThat(print("f")).isEqualTo("1.5");
        assertThat(print("flag")).isEqualTo("true");
        assertThat(print("c")).isEqualTo("'x'");
        assertThat(print("s")).isEqualTo("\"hello\"");
        assertThat(print("numbers")).isEqualTo("[1, 2, 3]");
        assertThat(print("words")).isEqualTo("[\"alpha\", \"beta\"]");
        assertThat(print("list")).isEqualTo("[\"a\", \"b\"]");
        assertThat(print("p")).isEqualTo("Point{x=3, y=4, name=\"p\"}");
        assertThat(print("box")).isEqualTo("Box{n=5, point=(1, 2), empty=null}");
        assertThat(print("boxed")).isEqualTo("42");
        assertThat(print("nothing")).isEqualTo("null");
        assertThat(print("root")).isEqualTo("4.0");
    }

    @Test
    void literalsEvaluateToTheirOwnType() {
        assertThat(typeOf("1")).isEqualTo("int");
        assertThat(typeOf("1L")).isEqualTo("long");
        assertThat(typeOf("1.0f")).isEqualTo("float");
        assertThat(typeOf("1.0")).isEqualTo("double");
        assertThat(typeOf("'a'")).isEqualTo("char");
        assertThat(typeOf("true")).isEqualTo("boolean");
        assertThat(typeOf("\"s\"")).isEqualTo("java.lang.String");
        assertThat(typeOf("null")).isEqualTo("null");
    }

    @Test
    void arithmeticPromotesToTheWiderOperand() {
        assertThat(print("i + 1")).isEqualTo("8");
        assertThat(typeOf("i + 1")).isEqualTo("int");
        assertThat(print("i + big")).isEqualTo("10000000007");
        assertThat(typeOf("i + big")).isEqualTo("long");
        assertThat(print("i * d")).isEqualTo("17.5");
        assertThat(typeOf("i * d")).isEqualTo("double");
        assertThat(typeOf("i + f")).isEqualTo("float");
        assertThat(typeOf("f + d")).isEqualTo("double");
        assertThat(print("c + 1")).isEqualTo("121");
        assertThat(typeOf("c + c")).isEqualTo("int");
        assertThat(print("boxed + 1")).isEqualTo("43");
    }

    @Test
    void integerDivisionTruncatesAndOverflowWraps() {
        assertThat(print("i / 2")).isEqualTo("3");
        assertThat(print("i / 2.0")).isEqualTo("3.5");
        assertThat(print("-i / 2")).isEqualTo("-3");
        assertThat(print("i % 3")).isEqualTo("1");
        assertThat(print("-i % 3")).isEqualTo("-1");
        assertThat(print("Integer.MAX_VALUE + 1")).isEqualTo(String.valueOf(Integer.MIN_VALUE));
        assertThat(print("1 + 2 * 3 - 4")).isEqualTo("3");
        assertThat(print("(1 + 2) * 3")).isEqualTo("9");
    }

    @Test
    void integerDivisionByZeroFailsAsJavaWouldButFloatingDivisionDoesNot() {
        assertFails("i / 0", "division by zero (an ArithmeticException in Java)");
        assertFails("big % 0L", "division by zero (an ArithmeticException in Java)");
        assertThat(print("d / 0")).isEqualTo("Infinity");
        assertThat(print("0.0 / 0 < 1")).isEqualTo("false");
    }

    @Test
    void unaryBitwiseAndShiftOperatorsFollowJava() {
        assertThat(print("-i")).isEqualTo("-7");
        assertThat(print("+c")).isEqualTo("120");
        assertThat(print("~i")).isEqualTo("-8");
        assertThat(print("!flag")).isEqualTo("false");
        assertThat(print("i & 3")).isEqualTo("3");
        assertThat(print("i | 8")).isEqualTo("15");
        assertThat(print("i ^ 1")).isEqualTo("6");
        assertThat(print("1 << 33")).isEqualTo("2");
        assertThat(print("1L << 33")).isEqualTo("8589934592");
        assertThat(print("-16 >> 2")).isEqualTo("-4");
        assertThat(print("-16 >>> 28")).isEqualTo("15");
        assertThat(print("flag ^ true")).isEqualTo("false");
        assertThat(print("flag & !flag")).isEqualTo("false");
    }

    @Test
    void operatorsOnTheWrongOperandsSayWhatTheyNeed() {
        assertFails("!i", "operator ! needs a boolean");
        assertFails("-s", "operator - needs a number or a boolean, not a String");
        assertFails("flag + 1", "operator + cannot mix a boolean and a number");
        assertFails("flag < true", "operator < needs numbers, not booleans");
        assertFails("p * 2", "operator * needs numbers, not a Point");
        assertFails("p + 1", "operator + needs numbers or a string, not a Point");
        assertFails("d & 1", "operator & needs integers or booleans");
        assertFails("i ? 1 : 2", "operator ?: needs a boolean");
        assertFails("s == 1", "cannot compare a String with a int");
    }

    @Test
    void stringConcatenationUsesJavaStringConversion() {
        assertThat(print("s + \" world\"")).isEqualTo("\"hello world\"");
        assertThat(print("s + i")).isEqualTo("\"hello7\"");
        assertThat(print("\"d=\" + d")).isEqualTo("\"d=2.5\"");
        assertThat(print("\"c=\" + c")).isEqualTo("\"c=x\"");
        assertThat(print("s + nothing")).isEqualTo("\"hellonull\"");
        assertThat(print("1 + 2 + s")).isEqualTo("\"3hello\"");
        assertThat(print("s + 1 + 2")).isEqualTo("\"hello12\"");
        assertThat(print("\"\" + p")).isEqualTo("\"(3, 4)\"");
        assertThat(print("\"\" + list")).isEqualTo("\"[a, b]\"");
        assertThat(print("s + boxed")).isEqualTo("\"hello42\"");
        assertThat(typeOf("s + i")).isEqualTo("java.lang.String");
    }

    @Test
    void comparisonsPromoteNumbersAndCompareReferencesByIdentity() {
        assertThat(print("i > 5")).isEqualTo("true");
        assertThat(print("i <= 6")).isEqualTo("false");
        assertThat(print("big > i")).isEqualTo("true");
        assertThat(print("i == 7L")).isEqualTo("true");
        assertThat(print("d == 2.5f")).isEqualTo("true");
        assertThat(print("c == 'x'")).isEqualTo("true");
        assertThat(print("c == 120")).isEqualTo("true");
        assertThat(print("boxed == 42")).isEqualTo("true");
        assertThat(print("boxed < 50")).isEqualTo("true");
        assertThat(print("s == s")).isEqualTo("true");
        assertThat(print("p != null")).isEqualTo("true");
        assertThat(print("nothing == null")).isEqualTo("true");
        assertThat(print("p == box.point")).isEqualTo("false");
        assertThat(print("flag == true")).isEqualTo("true");
    }

    @Test
    void andAndOrDoNotEvaluateTheirRightSideWhenTheLeftDecides() {
        assertThat(print("nothing != null && nothing.toString() == null")).isEqualTo("false");
        assertThat(print("nothing == null || nothing.toString() == null")).isEqualTo("true");
        assertThat(print("flag || i / 0 == 0")).isEqualTo("true");
        assertThat(print("!flag && fail() == null")).isEqualTo("false");
        assertFails("flag && i / 0 == 0", "division by zero (an ArithmeticException in Java)");
        assertFails("flag && i", "operator && needs a boolean");
    }

    @Test
    void theConditionalEvaluatesOnlyTheChosenBranch() {
        assertThat(print("flag ? \"yes\" : \"no\"")).isEqualTo("\"yes\"");
        assertThat(print("i > 10 ? 1 / 0 : i")).isEqualTo("7");
        assertThat(print("flag ? i : fail()")).isEqualTo("7");
    }

    @Test
    void fieldsAreReadFromObjectsFromThisAndFromClasses() {
        assertThat(print("p.x")).isEqualTo("3");
        assertThat(print("p.name")).isEqualTo("\"p\"");
        assertThat(print("box.point.name")).isEqualTo("\"inner\"");
        assertThat(print("box.point.x + box.n")).isEqualTo("6");
        assertThat(print("hits")).isEqualTo("3");
        assertThat(print("this.label")).isEqualTo("\"target\"");
        assertThat(print("counter")).isEqualTo("7");
        assertThat(print("EvaluatorTarget.GREETING")).isEqualTo("\"hi\"");
        assertThat(print("Point.ORIGIN.name")).isEqualTo("\"origin\"");
        assertThat(print("Integer.MAX_VALUE")).isEqualTo("2147483647");
        assertThat(print("java.lang.Long.MIN_VALUE")).isEqualTo("-9223372036854775808");
    }

    @Test
    void anUnknownFieldIsNamedWithItsClass() {
        assertFails("p.z", "Point has no field z");
        assertFails("Point.z", "Point has no static field or nested class z");
        assertFails("i.x", "a int has no field x");
    }

    @Test
    void methodsRunInTheTargetVm() {
        assertThat(print("list.size()")).isEqualTo("2");
        assertThat(print("s.length()")).isEqualTo("5");
        assertThat(print("s.substring(1, 3)")).isEqualTo("\"el\"");
        assertThat(print("s.charAt(0)")).isEqualTo("'h'");
        assertThat(print("s.toUpperCase().length() + i")).isEqualTo("12");
        assertThat(print("list.get(1)")).isEqualTo("\"b\"");
        assertThat(print("list.contains(\"a\")")).isEqualTo("true");
        assertThat(print("s.equals(\"hello\")")).isEqualTo("true");
        assertThat(print("p.sum()")).isEqualTo("7");
        assertThat(print("twice(i)")).isEqualTo("14");
        assertThat(print("twice(c)")).isEqualTo("240");
        assertThat(print("greet(s)")).isEqualTo("\"hi hello\"");
        assertThat(print("Math.max(i, 3)")).isEqualTo("7");
        assertThat(print("Math.max(i, d)")).isEqualTo("7.0");
        assertThat(print("String.valueOf(i)")).isEqualTo("\"7\"");
        assertThat(print("Integer.valueOf(i).hashCode()")).isEqualTo("7");
    }

    @Test
    void aLocalIsReadCorrectlyAfterACallInTheSameExpression() {
        // The call resumes the thread, which invalidates frame mirrors taken before it.
        assertThat(print("list.size() + i + list.size() + i")).isEqualTo("18");
        assertThat(print("twice(twice(i)) + i")).isEqualTo("35");
    }

    @Test
    void aMethodThatThrowsReportsTheException() {
        assertFails("fail()", "the call threw java.lang.IllegalStateException: boom at hit 3");
        assertFails("list.get(5)", "the call threw java.lang.IndexOutOfBoundsException: Index 5 out of bounds for length 2");
        assertFails("Integer.parseInt(s)", "the call threw java.lang.NumberFormatException: For input string: \"hello\"");
    }

    @Test
    void anUnknownMethodOrAWrongArgumentListIsNamed() {
        assertFails("s.nope()", "String has no method nope(...)");
        assertFails("s.length(1)", "String has no method length(int); it has [length()]");
        assertFails("p.sum(s, 1)", "Point has no method sum(String, int); it has [sum()]");
    }

    @Test
    void arraysAreIndexedAndHaveALength() {
        assertThat(print("numbers[0]")).isEqualTo("1");
        assertThat(print("numbers[numbers.length - 1]")).isEqualTo("3");
        assertThat(print("numbers.length")).isEqualTo("3");
        assertThat(print("words[1].length()")).isEqualTo("4");
        assertThat(print("numbers[c - 'w']")).isEqualTo("2");
        assertThat(print("numbers[0] + numbers[1] * numbers[2]")).isEqualTo("7");
    }

    @Test
    void aBadIndexSaysWhatIsWrong() {
        assertFails("numbers[3]", "index 3 is out of bounds for length 3");
        assertFails("numbers[-1]", "index -1 is out of bounds for length 3");
        assertFails("numbers[1.5]", "an array index must be an integer");
        assertFails("numbers.size", "an array has only .length, not .size");
        assertFails("list[0]", "[] needs an array, not a ArrayList; for a list say list.get(i)");
        assertFails("numbers.clone()", "cannot call .clone() on a int[]");
    }

    @Test
    void castsToPrimitivesConvertAsJavaDoes() {
        assertThat(print("(int) d")).isEqualTo("2");
        assertThat(print("(int) -d")).isEqualTo("-2");
        assertThat(print("(double) i / 2")).isEqualTo("3.5");
        assertThat(typeOf("(long) i")).isEqualTo("long");
        assertThat(print("(char) (c + 1)")).isEqualTo("'y'");
        assertThat(print("(int) c")).isEqualTo("120");
        assertThat(print("(byte) 300")).isEqualTo("44");
        assertThat(print("(int) boxed")).isEqualTo("42");
        assertThat(print("(int) 3.9e10")).isEqualTo("2147483647");
        assertThat(print("(boolean) flag")).isEqualTo("true");
    }

    @Test
    void aCastOfANonNumberFails() {
        assertFails("(int) s", "cannot cast to int: not a number");
        assertFails("(int) nothing", "cannot cast to int: not a number");
        assertFails("(int) flag", "cannot convert boolean to int");
    }

    @Test
    void instanceofAndClassCastsAreReportedAsUnsupported() {
        assertThatThrownBy(() -> evaluator.evaluate("s instanceof String"))
                .isInstanceOf(ParseException.class)
                .hasMessage("instanceof is not supported by the debugger's evaluator");
        assertThatThrownBy(() -> evaluator.evaluate("(String) nothing"))
                .isInstanceOf(ParseException.class)
                .hasMessage("casts to class types are not supported by the debugger's evaluator, only to primitive types");
    }

    @Test
    void anUnknownNameIsReportedAsSuch() {
        assertFails("nope", "no variable, field or class named nope here");
        assertFails("nope + 1", "no variable, field or class named nope here");
        assertFails("nope.deeper", "no variable, field or class named nope.deeper here");
        assertFails("nope.call()", "no variable, field or class named nope here");
        assertFails("String", "java.lang.String is a class, not a value");
    }

    @Test
    void dereferencingNullFailsLikeANullPointerException() {
        assertFails("nothing.x", "cannot read .x of null (a NullPointerException in Java)");
        assertFails("nothing.toString()", "cannot call .toString() on null (a NullPointerException in Java)");
        assertFails("noArray[0]", "cannot index null (a NullPointerException in Java)");
        assertFails("box.empty.hashCode()", "cannot call .hashCode() on null (a NullPointerException in Java)");
    }

    @Test
    void anAssignmentStoresTheConvertedValueInTheFrame() {
        assertThat(new ValueRenderer(invoker).render(evaluator.assign("scratch = 'a'"))).isEqualTo("97");
        assertThat(print("scratch")).isEqualTo("97");
        assertThat(new ValueRenderer(invoker).render(evaluator.assign("this.spare = scratch + 1"))).isEqualTo("98");
        assertThat(print("spare")).isEqualTo("98");
        assertThatThrownBy(() -> evaluator.assign("GREETING = \"x\""))
                .isInstanceOf(DebugException.class)
                .hasMessage("GREETING is a static final field: its value may be inlined and cannot be set");
    }
}

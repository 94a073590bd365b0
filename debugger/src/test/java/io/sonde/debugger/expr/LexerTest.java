package io.sonde.debugger.expr;

import io.sonde.debugger.expr.Lexer.Kind;
import io.sonde.debugger.expr.Lexer.Token;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lexer on its own: every kind of literal with its Java value, operators, and the errors it reports. */
class LexerTest {

    /** The one token {@code source} holds (besides the end marker). */
    private static Token only(String source) {
        List<Token> tokens = Lexer.tokens(source);
        assertThat(tokens).as("tokens of %s", source).hasSize(2);
        assertThat(tokens.get(1).kind()).isEqualTo(Kind.END);
        return tokens.get(0);
    }

    private static void assertLiteral(String source, Kind kind, Object value) {
        Token t = only(source);
        assertThat(t.kind()).as("kind of %s", source).isEqualTo(kind);
        assertThat(t.value()).as("value of %s", source).isEqualTo(value);
    }

    @Test
    void decimalIntegersAreIntsAndAnLSuffixMakesALong() {
        assertLiteral("42", Kind.INT, 42);
        assertLiteral("0", Kind.INT, 0);
        assertLiteral("1_000_000", Kind.INT, 1_000_000);
        assertLiteral("2147483647", Kind.INT, Integer.MAX_VALUE);
        assertLiteral("42L", Kind.LONG, 42L);
        assertLiteral("10000000000l", Kind.LONG, 10_000_000_000L);
    }

    @Test
    void hexAndBinaryLiteralsKeepTheirBitPattern() {
        assertLiteral("0x1F", Kind.INT, 31);
        assertLiteral("0Xff", Kind.INT, 255);
        assertLiteral("0xFFFFFFFF", Kind.INT, -1);
        assertLiteral("0xFFFFFFFFFFFFFFFFL", Kind.LONG, -1L);
        assertLiteral("0b101", Kind.INT, 5);
        assertLiteral("0B1111_0000", Kind.INT, 0xF0);
    }

    @Test
    void aLeadingZeroMakesAnIntegerOctalAsInJava() {
        assertLiteral("010", Kind.INT, 8);
        assertLiteral("0_17", Kind.INT, 15);
        assertLiteral("017L", Kind.LONG, 15L);
        assertLiteral("00", Kind.INT, 0);
        assertLiteral("037777777777", Kind.INT, -1);
        // A fraction or an F or D suffix makes it decimal again.
        assertLiteral("010.5", Kind.DOUBLE, 10.5);
        assertLiteral("09d", Kind.DOUBLE, 9.0);
    }

    @Test
    void theLargestLongIsReadForTheParserToNegate() {
        assertLiteral("9223372036854775807L", Kind.LONG, Long.MAX_VALUE);
        assertLiteral("9223372036854775808L", Kind.LONG, Long.MIN_VALUE);
        assertLiteral("2147483648", Kind.INT, Integer.MIN_VALUE);
    }

    @Test
    void fractionsAndExponentsAreDoublesUnlessSuffixedF() {
        assertLiteral("2.5", Kind.DOUBLE, 2.5);
        assertLiteral(".5", Kind.DOUBLE, 0.5);
        assertLiteral("1e3", Kind.DOUBLE, 1000.0);
        assertLiteral("1.5E-2", Kind.DOUBLE, 0.015);
        assertLiteral("2d", Kind.DOUBLE, 2.0);
        assertLiteral("1.5f", Kind.FLOAT, 1.5f);
        assertLiteral("3F", Kind.FLOAT, 3.0f);
    }

    @Test
    void charLiteralsHoldOneCharacterAfterEscapes() {
        assertLiteral("'a'", Kind.CHAR, 'a');
        assertLiteral("'\\n'", Kind.CHAR, '\n');
        assertLiteral("'\\''", Kind.CHAR, '\'');
        assertLiteral("'\\\\'", Kind.CHAR, '\\');
        assertLiteral("'\\u0041'", Kind.CHAR, 'A');
        assertLiteral("'\\0'", Kind.CHAR, '\0');
    }

    @Test
    void stringLiteralsTranslateTheirEscapes() {
        assertLiteral("\"\"", Kind.STRING, "");
        assertLiteral("\"hello world\"", Kind.STRING, "hello world");
        assertLiteral("\"a\\tb\\nc\\r\"", Kind.STRING, "a\tb\nc\r");
        assertLiteral("\"say \\\"hi\\\"\"", Kind.STRING, "say \"hi\"");
        assertLiteral("\"back\\\\slash\"", Kind.STRING, "back\\slash");
        assertLiteral("\"\\u00e9t\\u00E9\"", Kind.STRING, "été");
        assertLiteral("\"\\b\\f\\s\"", Kind.STRING, "\b\f ");
    }

    @Test
    void theTokenTextIsTheSourceAsTyped() {
        assertThat(only("\"a\\nb\"").text()).isEqualTo("\"a\\nb\"");
        assertThat(only("42L").text()).isEqualTo("42L");
        assertThat(only("'x'").text()).isEqualTo("'x'");
    }

    @Test
    void operatorsAreReadLongestFirst() {
        List<Token> tokens = Lexer.tokens("a>>>b>>c<<d<=e>=f==g!=h&&i||j");
        assertThat(tokens.stream().filter(t -> t.kind() == Kind.OP).map(Token::text))
                .containsExactly(">>>", ">>", "<<", "<=", ">=", "==", "!=", "&&", "||");
    }

    @Test
    void aNumberFollowedByADotAndANameStopsAtTheDot() {
        List<Token> tokens = Lexer.tokens("1.foo");
        assertThat(tokens).extracting(Token::kind).containsExactly(Kind.INT, Kind.OP, Kind.IDENT, Kind.END);
        assertThat(tokens.get(0).value()).isEqualTo(1);
    }

    @Test
    void tokensRememberWhereTheyStart() {
        List<Token> tokens = Lexer.tokens("  abc +  \"x\"");
        assertThat(tokens).extracting(Token::pos).containsExactly(2, 6, 9, 12);
        assertThat(tokens.get(3)).hasToString("end of expression");
        assertThat(tokens.get(1)).hasToString("'+'");
    }

    @Test
    void anIntTooLargeSaysToAddL() {
        assertThatThrownBy(() -> Lexer.tokens("x + 99999999999"))
                .isInstanceOf(ParseException.class)
                .hasMessage("integer literal 99999999999 is too large for an int; add L for a long")
                .extracting(e -> ((ParseException) e).position()).isEqualTo(4);
    }

    @Test
    void aHexOctalOrBinaryIntBeyond32BitsSaysToAddL() {
        assertThatThrownBy(() -> Lexer.tokens("0x1_FFFF_FFFF"))
                .isInstanceOf(ParseException.class)
                .hasMessage("integer literal 0x1FFFFFFFF is too large for an int; add L for a long");
        assertThatThrownBy(() -> Lexer.tokens("040000000000"))
                .isInstanceOf(ParseException.class)
                .hasMessage("integer literal 040000000000 is too large for an int; add L for a long");
        assertThatThrownBy(() -> Lexer.tokens("0b1" + "0".repeat(32)))
                .isInstanceOf(ParseException.class)
                .hasMessage("integer literal 0b1" + "0".repeat(32) + " is too large for an int; add L for a long");
    }

    @Test
    void aLongBeyond64BitsIsTooLarge() {
        assertThatThrownBy(() -> Lexer.tokens("x + 9223372036854775809L"))
                .isInstanceOf(ParseException.class)
                .hasMessage("integer literal 9223372036854775809 is too large for a long")
                .extracting(e -> ((ParseException) e).position()).isEqualTo(4);
    }

    @Test
    void anOctalNumberWithTheDigit8Or9IsMalformed() {
        assertThatThrownBy(() -> Lexer.tokens("09"))
                .isInstanceOf(ParseException.class)
                .hasMessage("malformed number 09: a leading 0 makes it octal, with digits 0 to 7");
    }

    @Test
    void aMalformedNumberIsNamed() {
        assertThatThrownBy(() -> Lexer.tokens("1e"))
                .isInstanceOf(ParseException.class).hasMessage("malformed number 1e");
        assertThatThrownBy(() -> Lexer.tokens("0x"))
                .isInstanceOf(ParseException.class).hasMessage("malformed number 0x");
    }

    @Test
    void anUnterminatedStringOrCharPointsAtItsOpeningQuote() {
        assertThatThrownBy(() -> Lexer.tokens("s + \"abc"))
                .isInstanceOf(ParseException.class).hasMessage("unterminated string literal")
                .extracting(e -> ((ParseException) e).position()).isEqualTo(4);
        assertThatThrownBy(() -> Lexer.tokens("c == 'a"))
                .isInstanceOf(ParseException.class).hasMessage("unterminated char literal")
                .extracting(e -> ((ParseException) e).position()).isEqualTo(5);
    }

    @Test
    void aCharLiteralOfZeroOrTwoCharactersIsRejected() {
        assertThatThrownBy(() -> Lexer.tokens("''"))
                .isInstanceOf(ParseException.class).hasMessage("a char literal holds one character");
        assertThatThrownBy(() -> Lexer.tokens("x + 'ab'"))
                .isInstanceOf(ParseException.class).hasMessage("a char literal holds one character")
                .extracting(e -> ((ParseException) e).position()).isEqualTo(4);
    }

    @Test
    void aShortUnicodeEscapeIsMalformed() {
        assertThatThrownBy(() -> Lexer.tokens("'\\u41'"))
                .isInstanceOf(ParseException.class).hasMessage("malformed \\u escape")
                .extracting(e -> ((ParseException) e).position()).isEqualTo(1);
    }

    @Test
    void aUnicodeEscapeWithoutFourHexDigitsIsMalformedNotANumberFormatError() {
        assertThatThrownBy(() -> Lexer.tokens("s + \"\\uzzzz\""))
                .isInstanceOf(ParseException.class).hasMessage("malformed \\u escape")
                .extracting(e -> ((ParseException) e).position()).isEqualTo(5);
        assertThatThrownBy(() -> Lexer.tokens("'\\u00'+\"x\""))
                .isInstanceOf(ParseException.class).hasMessage("malformed \\u escape")
                .extracting(e -> ((ParseException) e).position()).isEqualTo(1);
    }

    @Test
    void aCharacterOutsideTheGrammarIsNamedWithItsPosition() {
        assertThatThrownBy(() -> Lexer.tokens("a # b"))
                .isInstanceOf(ParseException.class).hasMessage("unexpected character '#'")
                .extracting(e -> ((ParseException) e).position()).isEqualTo(2);
        assertThatThrownBy(() -> Lexer.tokens("x@y"))
                .isInstanceOf(ParseException.class).hasMessage("unexpected character '@'")
                .extracting(e -> ((ParseException) e).position()).isEqualTo(1);
    }
}

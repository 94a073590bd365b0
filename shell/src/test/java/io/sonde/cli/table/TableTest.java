package io.sonde.cli.table;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableTest {
    @Test
    void columnsLineUpUnderTheirHeadersAndEmptyCellsShowADash() {
        StringWriter text = new StringWriter();
        new Table("ID", "NAME", "STATE")
                .row("a1", "square", "FINISHED")
                .row("b22222", "", "RUNNING")
                .print(new PrintWriter(text));

        assertThat(text.toString().lines()).containsExactly(
                "ID      NAME    STATE",
                "a1      square  FINISHED",
                "b22222  -       RUNNING");
    }

    @Test
    void aRowWithTheWrongNumberOfCellsIsRejected() {
        assertThatThrownBy(() -> new Table("A", "B").row("only one"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 cells");
    }

    @Test
    void sizesAreWrittenInBinaryUnitsWithOneDecimal() {
        assertThat(Units.bytes(512)).isEqualTo("512B");
        assertThat(Units.bytes(1536)).isEqualTo("1.5KiB");
        assertThat(Units.bytes(1288490189L)).isEqualTo("1.2GiB");
        assertThat(Units.bytes(23_400L * 1024 * 1024 * 1024 / 1000)).isEqualTo("23.4GiB");
        assertThat(Units.bytes(-1)).isEmpty();
    }
}

package io.sonde.internal.worker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResultJournalTest {
    @TempDir
    Path dir;

    @Test
    void entriesAreReadBackInOrderFromTheFileAlone() throws IOException {
        Path file = dir.resolve("w.results");
        ResultJournal j = ResultJournal.create(file);
        assertThat(j.append(new byte[] {1, 2, 3})).isTrue();
        assertThat(j.append(new byte[0])).isTrue();
        assertThat(j.append(new byte[] {9})).isTrue();

        // read as the node does, after the writer is gone: only the file
        List<byte[]> read = ResultJournal.read(file);
        assertThat(read).hasSize(3);
        assertThat(read.get(0)).containsExactly(1, 2, 3);
        assertThat(read.get(1)).isEmpty();
        assertThat(read.get(2)).containsExactly(9);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aFullJournalRefusesUntilResetAndATooLargeEntryIsNeverTaken() throws IOException {
        Path file = dir.resolve("w.results");
        ResultJournal j = ResultJournal.create(file);
        byte[] quarter = new byte[ResultJournal.MAX_ENTRY];
        assertThat(j.append(quarter)).isTrue();
        assertThat(j.pastHalf()).as("a quarter used").isFalse();
        assertThat(j.append(quarter)).isTrue();
        assertThat(j.pastHalf()).as("two quarters and their lengths").isTrue();
        assertThat(j.append(quarter)).isTrue();
        assertThat(j.append(quarter)).as("4 entries and their lengths exceed the capacity").isFalse();
        assertThat(ResultJournal.read(file)).hasSize(3);

        j.reset();
        assertThat(j.pastHalf()).isFalse();
        assertThat(ResultJournal.read(file)).isEmpty();
        assertThat(j.append(new byte[] {7})).isTrue();
        assertThat(ResultJournal.read(file)).singleElement().satisfies(e -> assertThat(e).containsExactly(7));

        assertThat(ResultJournal.fits(ResultJournal.MAX_ENTRY + 1)).isFalse();
        assertThat(j.append(new byte[ResultJournal.MAX_ENTRY + 1])).isFalse();
    }

    @Test
    void aDamagedLengthEndsTheReadingAndAMissingFileHasNoEntries() throws IOException {
        Path file = dir.resolve("w.results");
        ResultJournal j = ResultJournal.create(file);
        j.append(new byte[] {1});
        j.append(new byte[] {2});
        byte[] all = Files.readAllBytes(file);
        ByteBuffer.wrap(all).putInt(8 + 4 + 1, Integer.MAX_VALUE); // the second entry's length
        Files.write(file, all);

        assertThat(ResultJournal.read(file)).singleElement().satisfies(e -> assertThat(e).containsExactly(1));
        assertThat(ResultJournal.read(dir.resolve("none.results"))).isEmpty();
    }
}

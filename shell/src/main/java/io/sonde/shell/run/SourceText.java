package io.sonde.shell.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The text of a file {@code sonde run} is given: a script or a program is UTF-8 text, and a file
 * that is not (a class file, a jar, a file in another encoding) is refused with a message that
 * says so, where, and what {@code sonde run} takes, rather than the decoder's "Input length = 1".
 */
public final class SourceText {
    private SourceText() {
    }

    /** A file that cannot be run: the message is a sentence for the user, without a "sonde run:" prefix. */
    public static final class UnreadableSourceException extends Exception {
        UnreadableSourceException(String message) {
            super(message);
        }
    }

    /** The file's text; throws when it cannot be read or is not UTF-8 text. */
    public static String read(Path file) throws UnreadableSourceException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UnreadableSourceException("cannot read " + file + ": " + e.getMessage());
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw notText(file, in.position(), bytes[in.position()]);
        }
        result = decoder.flush(out);
        if (result.isError()) {
            throw notText(file, in.position(), bytes[Math.max(0, in.position() - 1)]);
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw notText(file, i, bytes[i]); // valid UTF-8, but no text holds NUL
            }
        }
        out.flip();
        return out.toString();
    }

    private static UnreadableSourceException notText(Path file, int offset, byte b) {
        return new UnreadableSourceException(file + " is not a UTF-8 text file (byte " + offset + " is 0x"
                + String.format("%02X", b & 0xFF) + "). `sonde run` runs a JShell script (FILE.jsh) or a single-file"
                + " Java program (Main.java), written as UTF-8 text; re-save the file as UTF-8 if it is text in"
                + " another encoding.");
    }
}

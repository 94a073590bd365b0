package io.sonde.internal.serialization;

import com.google.protobuf.ByteString;
import io.sonde.SondeException;
import io.sonde.TaskException;
import io.sonde.proto.ObjectValue;
import io.sonde.proto.RemoteError;

import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Turns values into the bytes stored under an object id and back.
 *
 * <p>The first byte is a tag. Values that dominate real workloads and the benchmarks (byte
 * arrays, strings, boxed numbers, null) get a direct encoding; everything else goes through Java
 * serialization, so any {@link java.io.Serializable} value travels. Decoding resolves classes
 * through the class loader of the job (the worker's context class loader), not this class's.
 *
 * <p>Stateless and thread-safe.
 */
public final class Serializer {
    private static final byte NULL = 0;
    private static final byte JAVA = 1;
    private static final byte BYTES = 2;
    private static final byte STRING = 3;
    private static final byte INT = 4;
    private static final byte LONG = 5;
    private static final byte DOUBLE = 6;
    private static final byte BOOLEAN = 7;
    /** A {@link ByteBuffer}'s remaining bytes; read back as a read-only buffer (a view of the store's mapping). */
    private static final byte BYTE_BUFFER = 8;

    /** Stack traces kept as text are cut here: a StackOverflowError prints a thousand frames. */
    private static final int MAX_STACK_CHARS = 64 * 1024;

    private static final ByteString NULL_BYTES = ByteString.copyFrom(new byte[] {NULL});

    private Serializer() {
    }

    public static ObjectValue value(Object value) {
        return ObjectValue.newBuilder().setData(encode(value)).build();
    }

    /**
     * A task's result. A value that travels through Java serialization also names its
     * {@code producer}, so a caller that cannot deserialize it can say whose value it was; the
     * direct encodings always decode, and stay as small as they are.
     */
    public static ObjectValue result(Object value, String producer) {
        ByteString data = encode(value);
        ObjectValue.Builder b = ObjectValue.newBuilder().setData(data);
        if (data.byteAt(0) == JAVA) {
            b.setProducer(producer);
        }
        return b.build();
    }

    /** {@code v}, a task's result, naming its {@code producer} when reading it may fail (as {@link #result}). */
    public static ObjectValue withProducer(ObjectValue v, String producer) {
        boolean java = v.getSharedSize() > 0 || (!v.getData().isEmpty() && v.getData().byteAt(0) == JAVA);
        return java ? v.toBuilder().setProducer(producer).build() : v;
    }

    /** A failure stored in place of a value; {@code get} rethrows it. */
    public static ObjectValue error(SondeException error) {
        return ObjectValue.newBuilder()
                .setData(encode(error))
                .setIsError(true)
                .setErrorType(error.getClass().getSimpleName())
                .build();
    }

    /**
     * A task's application failure: {@code error} (a {@code TaskException} whose cause is what the
     * task threw) plus, as text, who produced it and what was thrown, so that a caller that cannot
     * deserialize the exception still tells its story ({@link #read}).
     */
    public static ObjectValue taskFailure(String producer, SondeException error, Throwable thrown) {
        return error(error).toBuilder().setProducer(producer).setRemoteError(remoteError(thrown)).build();
    }

    /** {@code thrown} as text: class, message and stack trace with its causes, bounded in size. */
    public static RemoteError remoteError(Throwable thrown) {
        StringWriter trace = new StringWriter();
        try (PrintWriter out = new PrintWriter(trace)) {
            thrown.printStackTrace(out);
        } catch (RuntimeException e) {
            // a getMessage() or toString() of the user's that throws: keep what was printed
        }
        String stack = trace.toString();
        if (stack.length() > MAX_STACK_CHARS) {
            stack = stack.substring(0, MAX_STACK_CHARS) + "\n\t... (" + (stack.length() - MAX_STACK_CHARS)
                    + " more characters of stack trace cut)\n";
        }
        String message;
        try {
            message = thrown.getMessage();
        } catch (RuntimeException e) {
            message = "(its getMessage() threw " + e + ")";
        }
        return RemoteError.newBuilder().setClassName(thrown.getClass().getName())
                .setMessage(message == null ? "" : message).setStackTrace(stack).build();
    }

    /**
     * Reads a value received from another process with the job's {@code loader}.
     *
     * <p>For a failure ({@code is_error}) this returns the {@link SondeException} to throw. When its
     * bytes cannot be deserialized here (the exception's class exists only on the worker, or its
     * readObject throws) and the worker kept the exception as text, the result is a
     * {@link TaskException} that says which task failed, where it ran, what it threw (class,
     * message, stack trace as text) and why it could not be rebuilt; its cause is the reason.
     *
     * @throws SerializationException if a value (not a failure) cannot be deserialized; the message
     *                                names the task that produced it
     */
    public static Object read(ObjectValue v, ClassLoader loader) {
        return read(v, loader, null);
    }

    /** Reads a value of the node's shared-memory store ({@code shared_size} set). */
    @FunctionalInterface
    public interface SharedReader {
        Object read(ObjectValue v, ClassLoader loader);
    }

    /**
     * Decodes a value from mapped file pieces, and unmaps them once it was copied out (a
     * ByteBuffer value is a view of the mapping, and keeps it).
     */
    public static Object decodeMapped(ByteBuffer[] mapped, ClassLoader loader) {
        Object value;
        try {
            value = decode(mapped, loader);
        } catch (RuntimeException | Error e) {
            Mappings.release(mapped);
            throw e;
        }
        if (!(value instanceof ByteBuffer)) {
            Mappings.release(mapped);
        }
        return value;
    }

    /**
     * As {@link #read(ObjectValue, ClassLoader)}, reading a value kept in the node's object store
     * ({@code shared_size} set) through {@code shared}.
     */
    public static Object read(ObjectValue v, ClassLoader loader, SharedReader shared) {
        try {
            if (v.getSharedSize() > 0) {
                if (shared == null) {
                    throw new SerializationException("the value is in the node's object store, which this process"
                            + " does not reach");
                }
                return shared.read(v, loader);
            }
            return decode(v.getData(), loader);
        } catch (SerializationException e) {
            if (v.getIsError() && v.hasRemoteError()) {
                return unreadableFailure(v, e);
            }
            if (!v.getProducer().isEmpty()) {
                throw new SerializationException("the value returned by " + v.getProducer() + " cannot be read here: "
                        + e.getMessage(), e.getCause());
            }
            throw e;
        }
    }

    private static TaskException unreadableFailure(ObjectValue v, SerializationException why) {
        RemoteError r = v.getRemoteError();
        String producer = v.getProducer().isEmpty() ? "a task" : v.getProducer();
        String thrown = r.getClassName() + (r.getMessage().isEmpty() ? "" : ": " + r.getMessage());
        String message = producer + " failed: " + thrown + "\n"
                + "  (the exception cannot be deserialized here, so it is shown as text: " + why.getMessage() + ")\n"
                + "  remote stack trace:\n"
                + r.getStackTrace().strip().indent(4).stripTrailing();
        return new TaskException(message, why.getCause() != null ? why.getCause() : why);
    }

    public static ByteString encode(Object value) {
        if (value == null) {
            return NULL_BYTES;
        }
        try {
            if (value instanceof byte[]) {
                byte[] b = (byte[]) value;
                ByteString.Output out = ByteString.newOutput(b.length + 1);
                out.write(BYTES);
                out.write(b);
                return out.toByteString();
            }
            if (value instanceof ByteBuffer) {
                ByteBuffer b = ((ByteBuffer) value).duplicate();
                ByteString.Output out = ByteString.newOutput(b.remaining() + 1);
                out.write(BYTE_BUFFER);
                if (b.hasArray()) {
                    out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
                } else {
                    byte[] chunk = new byte[Math.min(b.remaining(), 64 * 1024)];
                    while (b.hasRemaining()) {
                        int n = Math.min(chunk.length, b.remaining());
                        b.get(chunk, 0, n);
                        out.write(chunk, 0, n);
                    }
                }
                return out.toByteString();
            }
            if (value instanceof String) {
                byte[] s = ((String) value).getBytes(StandardCharsets.UTF_8);
                byte[] b = new byte[s.length + 1];
                b[0] = STRING;
                System.arraycopy(s, 0, b, 1, s.length);
                return ByteString.copyFrom(b);
            }
            if (value instanceof Integer) {
                int v = (Integer) value;
                return ByteString.copyFrom(new byte[] {INT, (byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
            }
            if (value instanceof Long) {
                return ByteString.copyFrom(longBytes(LONG, (Long) value));
            }
            if (value instanceof Double) {
                return ByteString.copyFrom(longBytes(DOUBLE, Double.doubleToRawLongBits((Double) value)));
            }
            if (value instanceof Boolean) {
                return ByteString.copyFrom(new byte[] {BOOLEAN, (byte) ((Boolean) value ? 1 : 0)});
            }
            ByteString.Output out = ByteString.newOutput(256);
            writeJava(value, out);
            return out.toByteString();
        } catch (IOException e) {
            throw notSerializable(value, e);
        }
    }

    /**
     * The encoding of a value that needs no Java serialization, as its tag and its bytes (a view,
     * not a copy, for byte arrays and buffers): what the object store writes straight to shared
     * memory. Null for other values.
     */
    public static Direct direct(Object value) {
        if (value instanceof byte[]) {
            return new Direct(BYTES, ByteBuffer.wrap((byte[]) value));
        }
        if (value instanceof ByteBuffer) {
            return new Direct(BYTE_BUFFER, ((ByteBuffer) value).duplicate());
        }
        if (value instanceof String) {
            return new Direct(STRING, ByteBuffer.wrap(((String) value).getBytes(StandardCharsets.UTF_8)));
        }
        return null;
    }

    /** A value's tag and bytes; the encoded size is one more than the bytes. */
    public record Direct(byte tag, ByteBuffer body) {
        /** Read back as a view of the store's memory (a ByteBuffer), not a copy: its memory must outlive its readers. */
        public boolean readAsView() {
            return tag == BYTE_BUFFER;
        }

        public long size() {
            return 1L + body.remaining();
        }
    }

    /** Whether {@code value} encodes in a few bytes (null, boxed numbers, booleans): never worth the store. */
    public static boolean isSmall(Object value) {
        return value == null || value instanceof Integer || value instanceof Long || value instanceof Double
                || value instanceof Boolean;
    }

    /**
     * Writes {@code value} through Java serialization, tag first, to {@code out}.
     *
     * @throws SerializationException naming what could not be serialized and what to do
     */
    public static void writeJavaTo(Object value, java.io.OutputStream out) {
        try {
            writeJava(value, out);
        } catch (IOException e) {
            throw notSerializable(value, e);
        }
    }

    private static void writeJava(Object value, java.io.OutputStream out) throws IOException {
        out.write(JAVA);
        try (ObjectOutputStream oos = new RecordObjectOutputStream(out)) {
            oos.writeObject(value);
        }
    }

    private static SerializationException notSerializable(Object value, IOException e) {
        if (e instanceof NotSerializableException) {
            return new SerializationException("a value of type " + value.getClass().getName()
                    + " cannot be sent to another process: it holds something that is not Serializable ("
                    + e.getMessage().replace("\n", " ").replace("\t", "").trim() + "). Make that class implement"
                    + " java.io.Serializable, mark the field transient, or send only the data it holds", e);
        }
        if (e.getCause() instanceof SerializationException) {
            return (SerializationException) e.getCause(); // the store said why it could not take the value
        }
        return new SerializationException("a value of type " + value.getClass().getName()
                + " cannot be serialized: " + e, e);
    }

    public static Object decode(ByteString data, ClassLoader loader) {
        if (data.isEmpty()) {
            return null;
        }
        byte tag = data.byteAt(0);
        switch (tag) {
            case NULL:
                return null;
            case BYTES:
                return data.substring(1).toByteArray();
            case STRING:
                return data.substring(1).toStringUtf8();
            case INT:
                return (int) readLong(data, 4);
            case LONG:
                return readLong(data, 8);
            case DOUBLE:
                return Double.longBitsToDouble(readLong(data, 8));
            case BOOLEAN:
                return data.byteAt(1) != 0;
            case BYTE_BUFFER:
                return data.substring(1).asReadOnlyByteBuffer();
            case JAVA:
                return readJava(data.substring(1).newInput(), loader);
            default:
                throw unknownTag(tag);
        }
    }

    /**
     * Reads a value from the object store's read-only mapping of it, {@code chunks} in order (one
     * unless it is larger than 2 GiB). A {@link ByteBuffer} comes back as a read-only view of the
     * mapping (no copy); a byte array or string costs one copy; other values are deserialized
     * straight from the mapping.
     */
    public static Object decode(ByteBuffer[] chunks, ClassLoader loader) {
        ByteBuffer first = chunks[0].duplicate();
        byte tag = first.get();
        long size = 0;
        for (ByteBuffer c : chunks) {
            size += c.remaining();
        }
        switch (tag) {
            case BYTE_BUFFER:
                if (chunks.length == 1) {
                    return first.slice().asReadOnlyBuffer();
                }
                throw new SerializationException("a ByteBuffer of " + (size - 1) + " bytes cannot be read: it is larger than"
                        + " a ByteBuffer can be");
            case BYTES:
            case STRING: {
                if (size - 1 > Integer.MAX_VALUE - 8) {
                    throw new SerializationException("a value of " + (size - 1) + " bytes cannot be read into one array");
                }
                byte[] b = new byte[(int) (size - 1)];
                int at = first.remaining();
                first.get(b, 0, at);
                for (int i = 1; i < chunks.length; i++) {
                    ByteBuffer c = chunks[i].duplicate();
                    int n = c.remaining();
                    c.get(b, at, n);
                    at += n;
                }
                return tag == BYTES ? b : new String(b, StandardCharsets.UTF_8);
            }
            case JAVA: {
                ByteBuffer[] rest = new ByteBuffer[chunks.length];
                rest[0] = first;
                for (int i = 1; i < chunks.length; i++) {
                    rest[i] = chunks[i].duplicate();
                }
                return readJava(new BuffersInputStream(rest), loader);
            }
            default:
                throw unknownTag(tag);
        }
    }

    private static SerializationException unknownTag(byte tag) {
        return new SerializationException("unknown value encoding " + tag
                + "; are the driver and the cluster running the same Sonde version?");
    }

    private static Object readJava(InputStream data, ClassLoader loader) {
        try (ObjectInputStream in = new LoaderObjectInputStream(data, loader)) {
            return in.readObject();
        } catch (ClassNotFoundException e) {
            throw new SerializationException("class " + e.getMessage() + " of a received value is not on"
                    + " this process's classpath; workers load classes from the driver's classpath,"
                    + " so start the driver with the jar or directory that holds it (a class defined or"
                    + " generated on the worker alone cannot be read anywhere else)", e);
        } catch (IOException e) {
            throw new SerializationException("a received value cannot be deserialized: " + e, e);
        } catch (RuntimeException | LinkageError e) {
            // a readObject/readResolve of the value's own class threw, or its class failed to
            // initialize here: the value cannot be rebuilt in this process
            throw new SerializationException("a received value cannot be deserialized: reading it threw " + e, e);
        }
    }

    /** Reads buffers in order, as one stream. */
    private static final class BuffersInputStream extends InputStream {
        private final ByteBuffer[] buffers;
        private int current;

        BuffersInputStream(ByteBuffer[] buffers) {
            this.buffers = buffers;
        }

        private ByteBuffer buffer() {
            while (current < buffers.length && !buffers[current].hasRemaining()) {
                current++;
            }
            return current < buffers.length ? buffers[current] : null;
        }

        @Override
        public int read() {
            ByteBuffer b = buffer();
            return b == null ? -1 : b.get() & 0xff;
        }

        @Override
        public int read(byte[] into, int off, int len) {
            if (len == 0) {
                return 0;
            }
            ByteBuffer b = buffer();
            if (b == null) {
                return -1;
            }
            int n = Math.min(len, b.remaining());
            b.get(into, off, n);
            return n;
        }

        @Override
        public int available() {
            ByteBuffer b = buffer();
            return b == null ? 0 : b.remaining();
        }
    }

    private static byte[] longBytes(byte tag, long v) {
        byte[] b = new byte[9];
        b[0] = tag;
        for (int i = 0; i < 8; i++) {
            b[8 - i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private static long readLong(ByteString data, int width) {
        long v = 0;
        for (int i = 1; i <= width; i++) {
            v = (v << 8) | (data.byteAt(i) & 0xff);
        }
        return width == 4 ? (int) v : v;
    }

    /**
     * Records are plain data: one that is not {@link java.io.Serializable} (a record typed in the
     * shell, say) travels as its class name and component values and is rebuilt through its
     * canonical constructor.
     */
    private static final class RecordObjectOutputStream extends ObjectOutputStream {
        RecordObjectOutputStream(java.io.OutputStream out) throws IOException {
            super(out);
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) throws IOException {
            Class<?> c = obj.getClass();
            if (c.isRecord() && !(obj instanceof java.io.Serializable)) {
                java.lang.reflect.RecordComponent[] components = c.getRecordComponents();
                Object[] values = new Object[components.length];
                for (int i = 0; i < components.length; i++) {
                    try {
                        java.lang.reflect.Method accessor = components[i].getAccessor();
                        accessor.setAccessible(true);
                        values[i] = accessor.invoke(obj);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        throw new NotSerializableException(c.getName() + " (its component " + components[i].getName()
                                + " cannot be read: " + e + ")");
                    }
                }
                return new RecordData(c.getName(), values);
            }
            return obj;
        }
    }

    /** A non-serializable record in transit: its class and component values, in declaration order. */
    private record RecordData(String className, Object[] components) implements java.io.Serializable {
    }

    /** Resolves classes through the job's loader so user types and snippet classes are found. */
    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
            enableResolveObject(true);
        }

        @Override
        protected Object resolveObject(Object obj) throws IOException {
            if (!(obj instanceof RecordData)) {
                return obj;
            }
            RecordData data = (RecordData) obj;
            try {
                Class<?> c = Class.forName(data.className(), true, loader);
                java.lang.reflect.RecordComponent[] components = c.getRecordComponents();
                Class<?>[] types = new Class<?>[components.length];
                for (int i = 0; i < components.length; i++) {
                    types[i] = components[i].getType();
                }
                java.lang.reflect.Constructor<?> canonical = c.getDeclaredConstructor(types);
                canonical.setAccessible(true);
                return canonical.newInstance(data.components());
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new java.io.InvalidObjectException("cannot rebuild record " + data.className() + ": " + e);
            }
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }

}

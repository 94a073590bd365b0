package io.sonde.internal.serialization;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Lets go of a mapping of an object store file as soon as its bytes were copied out, instead of
 * when the garbage collector finds the buffer: a process that writes or reads a 100 MiB object
 * every few milliseconds would otherwise keep gigabytes of shared memory mapped (and counted in
 * its RSS) between collections. Uses {@code sun.misc.Unsafe#invokeCleaner}, the JDK's one way to
 * unmap early; where it is missing, mappings go with the garbage collector as before.
 *
 * <p>Only for buffers no one reads any more: a buffer touched after it is released crashes the JVM.
 */
public final class Mappings {
    private static final MethodHandle INVOKE_CLEANER = find();

    private Mappings() {
    }

    private static MethodHandle find() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            return MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class)).bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Unmaps the buffers (each as returned by FileChannel.map, not a slice of one). */
    public static void release(ByteBuffer... mappings) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        for (ByteBuffer b : mappings) {
            try {
                INVOKE_CLEANER.invokeExact(b);
            } catch (Throwable e) {
                // not a mapping of its own (a slice), or released already: the collector frees it
            }
        }
    }
}

package io.sonde.internal.client;

import com.google.protobuf.ByteString;
import io.sonde.internal.serialization.SerializationException;
import io.sonde.internal.serialization.Serializer;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names a task function and serializes it, caching what can be cached.
 *
 * <p>Lambdas and method refs compile to one class per call site. A non-capturing one is a
 * singleton with no fields, so its bytes never change: they are computed once per class and the
 * worker may keep the deserialized instance ({@link Described#cacheKey} is set). A capturing
 * lambda carries its captured values and is serialized on every submission.
 *
 * <p>Names come from the lambda's implementation method: {@code Tasks::square} is "square", a
 * lambda is "lambda"; for constructors and actor methods the class comes from the lambda's
 * instantiated type, so {@code Counter::new} and {@code () -> new Counter()} both give "Counter".
 */
final class FunctionDescriber {
    record Described(Object function, String name, String resultClass, String firstParamClass, ByteString bytes,
                     String cacheKey) {
    }

    private record Meta(String name, String resultClass, String firstParamClass, boolean capturing) {
    }

    private final ConcurrentHashMap<Class<?>, Meta> metas = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Class<?>, ByteString> constantBytes = new ConcurrentHashMap<>();

    Described describe(Object fn) {
        Class<?> c = fn.getClass();
        Meta meta = metas.computeIfAbsent(c, k -> inspect(fn));
        ByteString bytes;
        if (meta.capturing) {
            bytes = encode(fn);
        } else {
            bytes = constantBytes.computeIfAbsent(c, k -> encode(fn));
        }
        String key = meta.capturing ? "" : c.getName() + "#" + bytes.hashCode();
        return new Described(fn, meta.name, meta.resultClass, meta.firstParamClass, bytes, key);
    }

    /**
     * The function's bytes. A lambda that cannot be serialized because of a value it captured is
     * reported by that value's variable, type and the lambda's source line, not by its hidden class.
     */
    private static ByteString encode(Object fn) {
        try {
            return Serializer.encode(fn);
        } catch (SerializationException e) {
            SerializedLambda lambda = serializedLambda(fn);
            Optional<String> why = lambda == null ? Optional.empty() : LambdaCaptures.explain(fn, lambda);
            if (why.isPresent()) {
                throw new SerializationException(why.get(), e.getCause());
            }
            throw e;
        }
    }

    private static Meta inspect(Object fn) {
        Class<?> c = fn.getClass();
        boolean capturing = Arrays.stream(c.getDeclaredFields()).anyMatch(f -> !Modifier.isStatic(f.getModifiers()));
        SerializedLambda lambda = serializedLambda(fn);
        if (lambda == null) {
            return new Meta(simpleName(c.getName()), "", "", capturing);
        }
        String impl = lambda.getImplMethodName();
        String name = impl.startsWith("lambda$") || impl.equals("<init>") ? "lambda" : impl;
        String type = lambda.getInstantiatedMethodType();
        String result = simpleName(descriptorClass(type.substring(type.indexOf(')') + 1)));
        String first = type.startsWith("()") ? "" : simpleName(descriptorClass(type.substring(1)));
        return new Meta(name, result, first, capturing || lambda.getCapturedArgCount() > 0);
    }

    private static SerializedLambda serializedLambda(Object fn) {
        try {
            Method m = fn.getClass().getDeclaredMethod("writeReplace");
            m.setAccessible(true);
            Object r = m.invoke(fn);
            return r instanceof SerializedLambda ? (SerializedLambda) r : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The class named by the first type of a descriptor, e.g. {@code LCounter;I} gives Counter. */
    private static String descriptorClass(String descriptor) {
        if (descriptor.startsWith("L")) {
            return descriptor.substring(1, descriptor.indexOf(';')).replace('/', '.');
        }
        return descriptor.isEmpty() ? "" : descriptor.substring(0, 1);
    }

    static String simpleName(String className) {
        String s = className.substring(className.lastIndexOf('.') + 1);
        int dollar = s.lastIndexOf('$');
        if (dollar >= 0 && dollar < s.length() - 1) {
            String tail = s.substring(dollar + 1);
            // hidden lambda classes end in $$Lambda$12/0x...: keep the declaring class then
            if (!tail.chars().allMatch(Character::isDigit) && !s.contains("$$Lambda")) {
                return tail;
            }
        }
        int lambda = s.indexOf("$$Lambda");
        return lambda > 0 ? s.substring(0, lambda) : s;
    }
}

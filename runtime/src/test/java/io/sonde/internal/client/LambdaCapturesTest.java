package io.sonde.internal.client;

import io.sonde.function.SondeFunc0;
import io.sonde.internal.serialization.SerializationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a submission says about a function that cannot be serialized, without a cluster. */
class LambdaCapturesTest {
    private final Object notSerializable = new Object();

    private static void describe(Object fn) {
        new FunctionDescriber().describe(fn);
    }

    @Test
    void capturedLocalIsNamedWithItsTypeAndLine() {
        double before = 1.5;
        Thread worker = new Thread(() -> { });
        String after = "x";
        SondeFunc0<Integer> fn = () -> (int) before + worker.getName().length() + after.length();
        int line = new Throwable().getStackTrace()[0].getLineNumber() - 1;
        assertThatThrownBy(() -> describe(fn)).isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("the lambda at LambdaCapturesTest.java:" + line + " (in "
                        + LambdaCapturesTest.class.getName() + ".capturedLocalIsNamedWithItsTypeAndLine) captures"
                        + " 'worker', a java.lang.Thread, which is not Serializable")
                .hasMessageNotContaining("$$Lambda");
    }

    @Test
    void lambdaThatUsesAFieldCapturesThisAndSaysSo() {
        SondeFunc0<Integer> fn = () -> notSerializable.hashCode();
        assertThatThrownBy(() -> describe(fn))
                .hasMessageContaining("captures this, the enclosing " + LambdaCapturesTest.class.getName() + " instance")
                .hasMessageContaining("a " + LambdaCapturesTest.class.getName() + ", which is not Serializable");
    }

    @Test
    void boundMethodReferenceNamesItsReceiver() {
        Object lock = new Object();
        SondeFunc0<Integer> fn = lock::hashCode;
        assertThatThrownBy(() -> describe(fn))
                .hasMessageStartingWith("the method reference Object::hashCode is bound to its receiver, a java.lang.Object,"
                        + " which is not Serializable");
    }
}

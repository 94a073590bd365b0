package io.sonde.testing;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Which JUnit callback owns a fixture: registered in a {@code static} field, the fixture is set up
 * in {@code beforeAll} and torn down in {@code afterAll} of that class; in an instance field JUnit
 * only calls {@code beforeEach}/{@code afterEach}, so each test gets its own. The context that set
 * the fixture up is the one that tears it down: a {@code @Nested} class, which inherits its
 * enclosing class's extensions and calls them again, leaves the enclosing class's fixture alone.
 *
 * <p>Not thread-safe: JUnit calls the callbacks on one thread.
 */
final class FixtureScope {
    private String owner;
    private boolean testFailed;

    /** True when nothing is set up yet: {@code context} now owns the fixture and should set it up. */
    boolean enter(ExtensionContext context) {
        if (owner != null) {
            return false;
        }
        owner = context.getUniqueId();
        testFailed = false;
        return true;
    }

    /** True when {@code context} set the fixture up and should now tear it down. */
    boolean exit(ExtensionContext context) {
        if (!context.getUniqueId().equals(owner)) {
            return false;
        }
        owner = null;
        return true;
    }

    /** Notes that a test of this fixture failed (JUnit says so after each test, before afterAll). */
    void testFailed() {
        testFailed = true;
    }

    /** Whether a test of this fixture failed, counting the one {@code context} ran. */
    boolean failed(ExtensionContext context) {
        return testFailed || context.getExecutionException().isPresent();
    }
}

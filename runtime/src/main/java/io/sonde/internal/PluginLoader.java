package io.sonde.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the plug-ins of one kind ({@code io.sonde.spi}) on this process's classpath, and says on
 * stderr when one fails: a plug-in that cannot be loaded, or whose hook throws, is skipped and the
 * process goes on without it.
 */
public final class PluginLoader {
    private PluginLoader() {
    }

    /** The plug-ins of {@code type} that could be loaded, in classpath order. */
    public static <T> List<T> load(Class<T> type) {
        List<T> found = new ArrayList<>();
        ServiceLoader<T> loader = ServiceLoader.load(type, PluginLoader.class.getClassLoader());
        try {
            for (ServiceLoader.Provider<T> p : (Iterable<ServiceLoader.Provider<T>>) loader.stream()::iterator) {
                try {
                    found.add(p.get());
                } catch (ServiceConfigurationError | RuntimeException e) {
                    System.err.println("sonde: the plug-in " + p.type().getName() + " could not be loaded (" + e
                            + "); going on without it");
                }
            }
        } catch (ServiceConfigurationError e) {
            System.err.println("sonde: the " + type.getSimpleName() + " plug-ins could not be listed (" + e
                    + "); going on without them");
        }
        return found;
    }

    /** A hook of a plug-in threw: say which, and go on. */
    public static void failed(String plugin, String hook, Throwable e) {
        System.err.println("sonde: plug-in '" + plugin + "' failed in " + hook + ": " + e + "; going on without it");
    }
}

package io.sonde.internal.cluster;

import io.sonde.internal.node.memory.Bytes;
import io.sonde.internal.node.object.ObjectStoreSettings;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The checks of the object store's settings, made before a node starts: its memory
 * ({@code --object-store-memory}, {@code InitOptions.objectStoreMemory}) and its spill directory
 * ({@code --object-spilling-directory}, {@code InitOptions.objectSpillingDirectory}). Each message
 * starts with the setting as the caller names it, then says what is wrong and what to give.
 * Stateless.
 */
public final class ObjectStoreChecks {
    /** How the default capacity is said in messages: "30% of the node's memory". */
    static final String DEFAULT_CAPACITY = Math.round(ObjectStoreSettings.DEFAULT_FRACTION * 100) + "% of the node's memory";

    private ObjectStoreChecks() {
    }

    /**
     * The object store's memory, which must be more than 0 bytes.
     *
     * @param setting the name the message starts with: {@code --object-store-memory} or {@code objectStoreMemory}
     * @throws IllegalArgumentException it is 0 or negative
     */
    public static long capacity(String setting, long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException(setting + ": " + bytes + " bytes is no object store: give more than 0"
                    + " bytes, or leave it out for " + DEFAULT_CAPACITY + ".");
        }
        return bytes;
    }

    /**
     * The spill directory as an absolute path, once it is one the node can use: a writable
     * directory, or a path that does not exist yet under a writable directory (the store creates it).
     *
     * @param setting the name the message starts with: {@code --object-spilling-directory} or
     *                {@code objectSpillingDirectory}
     * @throws IllegalArgumentException it is a file, is not writable, or cannot be created
     */
    public static Path spillDir(String setting, Path dir) {
        String unset = ", or leave it out to spill into the session directory (<session>/spill).";
        if (dir == null || dir.toString().isBlank()) {
            throw new IllegalArgumentException(setting + ": no directory given: give the directory where objects go"
                    + " when the object store is full" + unset);
        }
        Path abs;
        try {
            abs = dir.toAbsolutePath().normalize();
        } catch (InvalidPathException | java.io.IOError e) {
            throw new IllegalArgumentException(setting + ": \"" + dir + "\" is not a usable path: give a directory"
                    + unset, e);
        }
        if (Files.exists(abs)) {
            if (!Files.isDirectory(abs)) {
                throw new IllegalArgumentException(setting + ": " + abs + " is a file, not a directory: give a"
                        + " directory (one that does not exist yet is created)" + unset);
            }
            if (!Files.isWritable(abs)) {
                throw new IllegalArgumentException(setting + ": the directory " + abs + " is not writable: give one"
                        + " you can write to, or make it writable (chmod u+w " + abs + ")" + unset);
            }
            return abs;
        }
        Path existing = abs.getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new IllegalArgumentException(setting + ": " + abs + " does not exist and cannot be created: "
                    + (existing == null ? "no part of it exists" : existing + (Files.isDirectory(existing)
                    ? " is not writable" : " is a file")) + ". Give a directory you can write to" + unset);
        }
        return abs;
    }

    /**
     * Refuses an object store larger than its node's memory.
     *
     * @param setting       the name of the store's memory in the message ({@code --object-store-memory})
     * @param capacity      the store's bytes; 0 (the default share) always fits
     * @param nodeMemory    the node's memory in bytes
     * @param memorySetting the name of the node's memory budget in the message ({@code --memory})
     * @param budget        whether the node's memory is that budget (else its cgroup's limit or the machine's)
     * @throws IllegalArgumentException the store does not fit
     */
    public static void fits(String setting, long capacity, long nodeMemory, String memorySetting, boolean budget) {
        if (capacity <= nodeMemory) {
            return;
        }
        throw new IllegalArgumentException(setting + ": " + Bytes.human(capacity) + " is more than the node's memory, "
                + Bytes.human(nodeMemory) + " (" + (budget ? "set by " + memorySetting
                : "its cgroup's limit, else the machine's memory") + "). Give at most " + Bytes.human(nodeMemory)
                + (budget ? ", or raise " + memorySetting : "") + ", or leave it out for " + DEFAULT_CAPACITY
                + " (" + Bytes.human((long) (nodeMemory * ObjectStoreSettings.DEFAULT_FRACTION)) + ").");
    }
}

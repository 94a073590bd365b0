package io.sonde.spi;

import com.google.protobuf.ByteString;

import java.util.Map;
import java.util.Optional;

/**
 * A task as a {@link WorkerPlugin} sees it while the worker runs it.
 *
 * @param taskId       the task's id
 * @param name         the task's name ("square", "Counter.increment")
 * @param actorId      the actor's id for actor tasks, else empty
 * @param parentTaskId the task that submitted it, empty if its driver did
 * @param function     the deserialized function the task runs (a lambda, a method reference...)
 * @param pluginData   what the submitting client's plug-ins attached, by plug-in name
 */
public record WorkerTask(String taskId, String name, String actorId, String parentTaskId, Object function,
                         Map<String, ByteString> pluginData) {
    /** What the plug-in named {@code plugin} attached to this task, if anything. */
    public Optional<ByteString> data(String plugin) {
        return Optional.ofNullable(pluginData.get(plugin));
    }
}

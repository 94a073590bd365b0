package io.sonde.shell.repl.commands;

import jdk.jshell.JShell;
import jdk.jshell.MethodSnippet;
import jdk.jshell.TypeDeclSnippet;

import java.util.List;

/**
 * {@code /methods} and {@code /types}: the methods and the classes, interfaces, enums and records
 * declared so far and still in effect, as the jshell tool lists them
 * ({@code int twice(int)}, {@code record P}).
 */
final class DeclarationsCommand implements SlashCommand {
    private final boolean methods;

    private DeclarationsCommand(boolean methods) {
        this.methods = methods;
    }

    static DeclarationsCommand methods() {
        return new DeclarationsCommand(true);
    }

    static DeclarationsCommand types() {
        return new DeclarationsCommand(false);
    }

    @Override
    public String name() {
        return methods ? "methods" : "types";
    }

    @Override
    public String help() {
        return methods ? "list the methods declared, with their signatures"
                : "list the classes, interfaces, enums and records declared";
    }

    @Override
    public void run(CommandContext context, String arguments) {
        JShell jshell = context.engine().jshell();
        List<String> lines = methods
                ? jshell.methods().filter(m -> jshell.status(m).isActive()).map(DeclarationsCommand::method).toList()
                : jshell.types().filter(t -> jshell.status(t).isActive()).map(DeclarationsCommand::type).toList();
        if (lines.isEmpty()) {
            context.out().println(methods ? "No methods yet." : "No types yet.");
        }
        lines.forEach(l -> context.out().println("  " + l));
    }

    /** {@code int twice(int)}: JShell's signature is {@code (int)int}. */
    private static String method(MethodSnippet m) {
        String signature = m.signature();
        String returns = signature.substring(signature.lastIndexOf(')') + 1);
        return returns + " " + m.name() + "(" + m.parameterTypes() + ")";
    }

    private static String type(TypeDeclSnippet t) {
        String kind = switch (t.subKind()) {
            case INTERFACE_SUBKIND -> "interface";
            case ENUM_SUBKIND -> "enum";
            case ANNOTATION_TYPE_SUBKIND -> "@interface";
            case RECORD_SUBKIND -> "record";
            default -> "class";
        };
        return kind + " " + t.name();
    }
}

package org.pararnn.lm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Writes the bash completion script of {@code ./pararnn} (every command and its options, from the same
 * declarations the parser and the help use), at build time: {@code lm-model/target/pararnn-completion.bash}.
 * {@code source} it in a shell, or copy it to {@code /etc/bash_completion.d/}.
 */
public final class CompletionScript {
    private CompletionScript() {
    }

    /** The script's text. */
    static String bash() {
        CommandSpec root = CommandSpec.create().name("pararnn");
        Main main = new Main(new Startup(false, false));
        for (Command c : main.commands()) {
            CommandSpec spec = c.spec().spec();
            if (c.name().equals("reproduce")) {
                // Its one action, table6, takes the options.
                root.addSubcommand("reproduce", CommandSpec.create().name("reproduce").addSubcommand("table6", spec));
            } else {
                root.addSubcommand(c.name(), spec);
            }
        }
        for (String launcher : Main.LAUNCHER_COMMANDS.keySet()) {
            root.addSubcommand(launcher, CommandSpec.create().name(launcher));
        }
        root.addOption(CommandLine.Model.OptionSpec.builder("--version").arity("0").build());
        root.addOption(CommandLine.Model.OptionSpec.builder("--help").arity("0").build());
        return AutoComplete.bash("pararnn", new CommandLine(root));
    }

    /** {@code args[0]}: the file to write. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CompletionScript FILE");
        }
        Path file = Path.of(args[0]);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, bash(), StandardCharsets.UTF_8);
    }
}

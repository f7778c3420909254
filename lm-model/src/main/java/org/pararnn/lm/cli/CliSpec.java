package org.pararnn.lm.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A command's options declared once (name, value label, description, section), for picocli: it parses them
 * ({@link Options}), writes the usage text and {@code --help} from them, and the bash completion script
 * ({@link CompletionScript}). Defaults that depend on a recipe or a task are said in the descriptions, from the
 * recipe's own values, never typed twice.
 */
final class CliSpec {
    private final String name;
    private final String synopsis;
    private final String description;
    private final List<Section> sections = new ArrayList<>();
    private String footer = "";

    private record Option(String name, String label, String description) {
    }

    private record Section(String heading, List<Option> options) {
    }

    private CliSpec(String name, String synopsis, String description) {
        this.name = name;
        this.synopsis = synopsis;
        this.description = description;
        sections.add(new Section(null, new ArrayList<>()));
    }

    /**
     * Command {@code name} ({@code reproduce table6} for a command's action), its synopsis line(s) after
     * {@code Usage: }, and what it does (paragraphs, plain text).
     */
    static CliSpec command(String name, String synopsis, String description) {
        return new CliSpec(name, synopsis, description);
    }

    /** Options declared after this go under {@code heading} in the usage text. */
    CliSpec section(String heading) {
        sections.add(new Section(heading, new ArrayList<>()));
        return this;
    }

    /** {@code --name LABEL}: an option that takes a value. */
    CliSpec option(String name, String label, String description) {
        sections.get(sections.size() - 1).options().add(new Option(name, label, description));
        return this;
    }

    /** {@code --backend NAME}, as every command that solves takes it. */
    CliSpec backendOption() {
        return option("backend", "NAME", "force a backend (else -Dpararnn.backend, PARARNN_BACKEND, or the available one"
                + " of highest priority: ./pararnn backends)");
    }

    /** {@code --mode MODE}, as every command that solves takes it. */
    CliSpec modeOption() {
        return option("mode", "MODE", "SEQUENTIAL, PARALLEL, FUSED or AUTO, any case (default AUTO)");
    }

    /** {@code --checkpoint DIR}, as the commands that load a model take it. */
    CliSpec checkpointOption() {
        return option("checkpoint", "DIR", "a run directory (its latest checkpoint) or a checkpoint directory");
    }

    /** {@code --name}: a switch that takes no value. */
    CliSpec flag(String name, String description) {
        return option(name, null, description);
    }

    /** Text after the options (plain). */
    CliSpec footer(String text) {
        this.footer = text;
        return this;
    }

    String name() {
        return name;
    }

    /** Every option's name, without the dashes. */
    List<String> names() {
        List<String> out = new ArrayList<>();
        for (Section s : sections) {
            for (Option o : s.options()) {
                out.add(o.name());
            }
        }
        return out;
    }

    /** The names of the switches (options without a value). */
    List<String> flags() {
        List<String> out = new ArrayList<>();
        for (Section s : sections) {
            for (Option o : s.options()) {
                if (o.label() == null) {
                    out.add(o.name());
                }
            }
        }
        return out;
    }

    /** A fresh picocli model of the command (a model belongs to one {@link CommandLine}). */
    CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name(name.substring(name.lastIndexOf(' ') + 1));
        spec.usageMessage().synopsisHeading("Usage: ").customSynopsis(lines(synopsis)).descriptionHeading("%n")
                .description(lines(description)).optionListHeading(sections.get(0).options().isEmpty() ? "" : "%n").footerHeading("%n").footer(lines(footer)).sortOptions(false)
                .width(100).abbreviateSynopsis(false);
        // "--out --stpes" is a missing value and an unknown option, not a directory named "--stpes".
        spec.parser().unmatchedOptionsAllowedAsOptionParameters(false);
        for (Section s : sections) {
            List<OptionSpec> built = new ArrayList<>();
            for (Option o : s.options()) {
                OptionSpec.Builder b = OptionSpec.builder("--" + o.name()).description(paragraph(o.description()));
                if (o.label() == null) {
                    b.arity("0").type(boolean.class);
                } else {
                    b.arity("1").type(String.class).paramLabel(o.label());
                }
                built.add(b.build());
            }
            if (built.isEmpty()) {
                continue;
            }
            if (s.heading() == null) {
                built.forEach(spec::addOption);
            } else {
                ArgGroupSpec.Builder g = ArgGroupSpec.builder().heading("%n" + escape(s.heading()) + "%n").exclusive(false)
                        .validate(false).multiplicity("0..1");
                built.forEach(g::addArg);
                spec.addArgGroup(g.build());
            }
        }
        return spec;
    }

    /** The usage text ({@code --help}), generated from the declarations. */
    String usage() {
        return new CommandLine(spec()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** picocli formats texts ({@code %n}): a plain text's percent signs kept, its lines as lines. */
    private static String[] lines(String text) {
        if (text == null || text.isEmpty()) {
            return new String[0];
        }
        return text.strip().lines().map(CliSpec::escape).toArray(String[]::new);
    }

    /** One paragraph that picocli wraps to the description column. */
    private static String paragraph(String text) {
        return escape(text.strip().replaceAll("\\s*\\R\\s*", " "));
    }

    private static String escape(String s) {
        return s.replace("%", "%%");
    }
}

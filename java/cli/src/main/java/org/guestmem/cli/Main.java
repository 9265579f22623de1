package org.guestmem.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code guestmem <verb>}: the command line over the library. Every verb prints a human table by
 * default and JSON with {@code --json}. New verbs are added to {@link #VERBS}.
 */
@Command(name = "guestmem", mixinStandardHelpOptions = true, version = "guestmem 0.1.0",
        description = "Guest RAM for virtual machines in Java: RCU-protected RAM blocks, dirty tracking, live migration, C parity.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** The verbs, in the order --help lists them (a class is instantiated afresh for every command line). */
    static final Object[] VERBS = {DemoCommand.class, MigrateCommand.class, InspectCommand.class, ParityCommand.class, BenchCommand.class, InfoCommand.class};

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (Object verb : VERBS) {
            cl.addSubcommand(verb);
        }
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            // Bad input and refused operations are reported as one line, not a stack trace.
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException || ex instanceof UnsupportedOperationException) {
                cmd.getErr().println("guestmem " + cmd.getCommandName() + ": " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}

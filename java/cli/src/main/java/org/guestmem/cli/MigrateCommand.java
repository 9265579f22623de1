package org.guestmem.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.guestmem.migration.LiveMigration;
import org.guestmem.migration.MigrationChannel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code guestmem migrate send|receive}: the demo guest's live migration between two processes or hosts. */
@Command(name = "migrate", mixinStandardHelpOptions = true, subcommands = {MigrateCommand.Send.class, MigrateCommand.Receive.class},
        description = "Live-migrate the demo guest over TCP: 'receive' on the destination first, then 'send' on the source.")
final class MigrateCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "send", mixinStandardHelpOptions = true, description = "Build the demo guest, run its vCPUs and migrate it to HOST:PORT.")
    static final class Send implements Callable<Integer> {
        @Option(names = "--to", required = true, paramLabel = "HOST:PORT", description = "Where 'migrate receive' listens.")
        String to;

        @Mixin
        SourceOptions source;

        @Override
        public Integer call() throws Exception {
            MigrationChannel.parse(to);
            try (DemoGuest g = DemoGuest.source(source.sizeBytes(), 1); MigrationChannel ch = MigrationChannel.connect(to, 10_000)) {
                Map<String, Object> out = source.runSource(g, ch);
                DemoCommand.print(out, source.json);
            }
            return 0;
        }
    }

    @Command(name = "receive", mixinStandardHelpOptions = true,
            description = {"Build an empty demo guest of --size and receive one migration on PORT (0 = any free port).",
                    "Prints 'listening on port N' first, then the load statistics and a 'checksum BLOCK VALUE' line per block."})
    static final class Receive implements Callable<Integer> {
        @Option(names = "--listen", required = true, paramLabel = "PORT", description = "TCP port to listen on.")
        int port;

        @Option(names = "--size", description = "Guest RAM size, as given to 'send' (default ${DEFAULT-VALUE}).", defaultValue = "1G")
        String size;

        @Option(names = "--timeout", description = "Seconds to wait for the source (default ${DEFAULT-VALUE}).", defaultValue = "120")
        int timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            try (DemoGuest g = DemoGuest.destination(DemoGuest.parseSize(size));
                    MigrationChannel ch = MigrationChannel.accept(port, timeoutSeconds * 1000, p -> {
                        System.out.println("listening on port " + p);
                        System.out.flush();
                    })) {
                LiveMigration.LoadStats s = LiveMigration.receive(ch, g.list);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("bytes", s.bytes());
                m.put("pages", s.pages());
                m.put("zero_pages", s.zeroPages());
                m.put("zero_pages_written", s.zeroPagesWritten());
                m.put("xbzrle_pages", s.xbzrlePages());
                m.put("load_ms", s.millis());
                m.forEach((k, v) -> System.out.printf("%-24s %s%n", k, v));
                g.checksums().forEach((k, v) -> System.out.println("checksum " + k + " " + v));
            }
            return 0;
        }
    }
}

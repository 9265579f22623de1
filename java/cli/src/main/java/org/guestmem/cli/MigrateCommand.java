package org.guestmem.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.guestmem.migration.LiveMigration;
import org.guestmem.migration.MigrationChannel;
import org.guestmem.migration.QemuGuest;
import org.guestmem.migration.QemuMigration;
import org.guestmem.ram.RamBlock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code guestmem migrate send|receive}: the demo guest's live migration between two processes or hosts. */
@Command(name = "migrate", mixinStandardHelpOptions = true, subcommands = {MigrateCommand.Send.class, MigrateCommand.Receive.class, MigrateCommand.Relay.class},
        description = {"Live-migrate the demo guest over TCP: 'receive' on the destination first, then 'send' on the source.",
                "With a QEMU 7.2: 'receive --save FILE' takes a QEMU's migration into guestmem's blocks and writes FILE,",
                "'send --load FILE' migrates FILE to a QEMU started with -incoming tcp:..., 'relay' does both at once."})
final class MigrateCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "send", mixinStandardHelpOptions = true, description = {"Build the demo guest, run its vCPUs and migrate it to HOST:PORT.",
            "With --load FILE: load a QEMU stream file (from 'receive --save') into blocks and migrate it to the QEMU at HOST:PORT."})
    static final class Send implements Callable<Integer> {
        @Option(names = "--to", required = true, paramLabel = "HOST:PORT", description = "Where 'migrate receive' (or a QEMU's -incoming tcp:) listens.")
        String to;

        @Option(names = "--load", paramLabel = "FILE", description = "A QEMU stream file to migrate to a QEMU destination instead of the demo guest.")
        Path load;

        @Option(names = "--timeout", description = "Seconds to wait to connect and for the destination (default ${DEFAULT-VALUE}).", defaultValue = "30")
        int timeoutSeconds;

        @Mixin
        SourceOptions source;

        @Override
        public Integer call() throws Exception {
            MigrationChannel.parse(to);
            if (load != null) {
                try (QemuGuest g = QemuGuest.load(load, PAGE)) {
                    print("loaded " + load, g);
                    long sent = QemuVerbs.io(() -> QemuMigration.send(g, to, timeoutSeconds * 1000));
                    System.out.printf("sent %d bytes to %s%n", sent, to);
                }
                return 0;
            }
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

        @Option(names = "--save", paramLabel = "FILE", description = "Receive from a QEMU 7.2 source instead and write its guest to FILE"
                + " (RAM from guestmem's blocks, device state unchanged); load it with qemu-system-x86_64 -incoming \"exec:cat FILE\".")
        Path save;

        @Override
        public Integer call() throws Exception {
            if (save != null) {
                try (QemuGuest g = QemuVerbs.io(() -> QemuMigration.receive(port, timeoutSeconds * 1000, PAGE, MigrateCommand::listening))) {
                    print("received", g);
                    long n = QemuVerbs.io(() -> g.save(save));
                    System.out.printf("saved %d bytes to %s%n", n, save);
                }
                return 0;
            }
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

    @Command(name = "relay", mixinStandardHelpOptions = true,
            description = {"Receive a live migration from a QEMU 7.2 source on PORT into guestmem's blocks, then migrate the guest",
                    "to the QEMU destination at HOST:PORT (started with -incoming tcp:...). Prints 'listening on port N' first."})
    static final class Relay implements Callable<Integer> {
        @Option(names = "--listen", required = true, paramLabel = "PORT", description = "TCP port to listen on (0 = any free port).")
        int port;

        @Option(names = "--to", required = true, paramLabel = "HOST:PORT", description = "The QEMU destination's -incoming tcp: address.")
        String to;

        @Option(names = "--timeout", description = "Seconds to wait for the source and the destination (default ${DEFAULT-VALUE}).", defaultValue = "120")
        int timeoutSeconds;

        @Override
        public Integer call() throws Exception {
            MigrationChannel.parse(to);
            try (QemuGuest g = QemuVerbs.io(() -> QemuMigration.receive(port, timeoutSeconds * 1000, PAGE, MigrateCommand::listening))) {
                print("received", g);
                long t0 = System.nanoTime();
                long sent = QemuVerbs.io(() -> QemuMigration.send(g, to, timeoutSeconds * 1000));
                System.out.printf("sent %d bytes to %s in %d ms%n", sent, to, (System.nanoTime() - t0) / 1_000_000);
            }
            return 0;
        }
    }

    /** Target page size of x86 QEMU streams. */
    static final int PAGE = 4096;

    static void listening(int port) {
        System.out.println("listening on port " + port);
        System.out.flush();
    }

    /** One summary line per guest: machine, blocks, what the stream held. */
    static void print(String what, QemuGuest g) {
        System.out.printf("%s: machine %s, ram section id %d, device state %d bytes%n", what, g.machine(), g.ramSectionId(), g.deviceState().length);
        for (RamBlock b : g.ram().blocks()) {
            System.out.printf("block %-24s %12d%n", b.name(), b.usedLength());
        }
        QemuGuest.Received r = g.received();
        if (r != null) {
            System.out.printf("stream %d bytes, %d ram sections, %d pages, %d zero pages, %d xbzrle pages%n",
                    r.bytes(), r.ramSections(), r.pages(), r.zeroPages(), r.xbzrlePages());
        }
    }
}

package org.guestmem.cli;

import java.io.PrintStream;
import java.util.function.Consumer;
import org.guestmem.migration.LiveMigration;

/** A one-line progress bar on stderr for a live migration, redrawn at most every 100 ms. */
final class ProgressBar implements Consumer<LiveMigration.Progress> {
    private final PrintStream err;
    private long lastDraw;

    ProgressBar(PrintStream err) {
        this.err = err;
    }

    @Override
    public void accept(LiveMigration.Progress p) {
        long now = System.nanoTime();
        boolean last = p.phase().equals("done");
        if (!last && now - lastDraw < 100_000_000L && !p.phase().equals("stop-and-copy")) {
            return;
        }
        lastDraw = now;
        double done = p.totalPages() == 0 ? 1 : 1 - (double) p.remainingPages() / p.totalPages();
        int width = 30, filled = (int) Math.round(done * width);
        err.printf("\r[%s%s] %3.0f%%  iteration %d  %,.1f MiB sent  %,d pages dirty  %-13s", "#".repeat(filled), ".".repeat(width - filled),
                done * 100, p.iteration(), p.bytesSent() / 1048576.0, p.remainingPages(), p.phase());
        if (last) {
            err.println();
        }
        err.flush();
    }
}

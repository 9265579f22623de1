package org.guestmem.migration;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.function.IntConsumer;
import org.apache.commons.lang3.Validate;

/**
 * Live migration between guestmem and a QEMU 7.2 over TCP, precopy without a return path (QEMU's default):
 * {@link #receive} takes one migration from a QEMU source ({@code migrate "tcp:HOST:PORT"}) into a
 * {@link QemuGuest}; {@link #send} migrates a {@link QemuGuest} to a QEMU destination started with
 * {@code -incoming tcp:HOST:PORT} (or {@code -incoming defer} and {@code migrate-incoming}).
 *
 * <p>A QEMU answers nothing without a return path: after the stream, {@link #send} half-closes the
 * connection and waits for the destination to close its side. A QEMU that refused the stream exits with
 * unread bytes in its socket, which resets the connection: that is reported as a refusal (the reason is in
 * the destination's log). While {@link #receive} reads the main channel it keeps accepting on the port: a
 * second connection is a multifd channel, which guestmem refuses (it would carry the pages).
 */
public final class QemuMigration {
    private QemuMigration() {}

    /** The multifd channel's first four bytes (QEMU's MULTIFD_MAGIC). */
    static final int MULTIFD_MAGIC = 0x11223344;

    /**
     * Waits up to {@code timeoutMillis} for a QEMU source on {@code port} (0 = any free port; {@code onBound}
     * hears the port) and reads its migration into a new {@link QemuGuest}. Each read waits at most
     * {@code timeoutMillis} too.
     */
    public static QemuGuest receive(int port, int timeoutMillis, int pageSize, IntConsumer onBound) throws IOException {
        Validate.isTrue(port >= 0 && port <= 65535, "port %d is outside 0..65535", port);
        Validate.isTrue(timeoutMillis >= 0, "timeout %d ms is negative", timeoutMillis);
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port));
            server.setSoTimeout(timeoutMillis);
            if (onBound != null) {
                onBound.accept(server.getLocalPort());
            }
            Socket main;
            try {
                main = server.accept();
            } catch (SocketTimeoutException e) {
                throw new IOException("no QEMU source connected to port " + server.getLocalPort() + " within " + timeoutMillis + " ms", e);
            }
            try (main) {
                main.setSoTimeout(timeoutMillis);
                main.setReceiveBufferSize(4 << 20);
                ExtraChannels extra = new ExtraChannels(server, main);
                extra.start();
                try (InputStream in = new BufferedInputStream(main.getInputStream(), 1 << 16)) {
                    return QemuGuest.receive(in, pageSize);
                } catch (IOException | RuntimeException e) {
                    String why = extra.refusal;
                    if (why != null) {
                        StreamFormatException f = new StreamFormatException(e instanceof StreamFormatException sf ? sf.offset() : 0, why);
                        f.initCause(e);
                        throw f;
                    }
                    throw e;
                } finally {
                    extra.interrupt();
                }
            }
        }
    }

    /**
     * Watches the listening port while the main channel is read: QEMU opens multifd channels to the same
     * address. One arriving is refused, and the main channel is closed so that the read stops.
     */
    private static final class ExtraChannels extends Thread {
        private final ServerSocket server;
        private final Socket main;
        /**
         * Written by this thread before it closes the main socket; read by the receiving thread after its read
         * failed on that close. Volatile: the close happens after the write, the failed read after the close.
         */
        volatile String refusal;

        ExtraChannels(ServerSocket server, Socket main) {
            super("qemu-migration-extra-channels");
            setDaemon(true);
            this.server = server;
            this.main = main;
        }

        @Override
        public void run() {
            try {
                server.setSoTimeout(0);
                try (Socket s = server.accept()) {
                    s.setSoTimeout(2000);
                    byte[] magic = s.getInputStream().readNBytes(4);
                    int m = magic.length == 4 ? (magic[0] & 0xff) << 24 | (magic[1] & 0xff) << 16 | (magic[2] & 0xff) << 8 | magic[3] & 0xff : -1;
                    refusal = "refused: the source opened a second connection" + (m == MULTIFD_MAGIC ? " (a multifd channel, magic 0x11223344)" : "")
                            + "; guestmem carries one precopy channel (turn the multifd capability off on the source)";
                }
                main.close();
            } catch (IOException e) {
                // the server closed: the receive ended
            }
        }
    }

    /**
     * Migrates {@code guest} to the QEMU destination listening at {@code hostPort}; returns the bytes sent.
     * Waits up to {@code timeoutMillis} to connect and, after the stream, for the destination to close.
     */
    public static long send(QemuGuest guest, String hostPort, int timeoutMillis) throws IOException {
        InetSocketAddress addr = MigrationChannel.parse(hostPort);
        try (Socket s = new Socket()) {
            try {
                s.connect(addr, timeoutMillis);
            } catch (IOException e) {
                throw new IOException("cannot connect to the QEMU destination " + hostPort + ": " + e.getMessage(), e);
            }
            s.setSendBufferSize(4 << 20);
            s.setSoTimeout(timeoutMillis);
            long sent;
            CountingOutput out = new CountingOutput(s.getOutputStream());
            try {
                sent = guest.write(new BufferedOutputStream(out, 1 << 16));
                s.shutdownOutput();
            } catch (SocketException e) {
                throw refused(hostPort, out.count, guest, e);
            }
            try {
                int b = s.getInputStream().read();
                if (b >= 0) {
                    throw new IOException("the destination " + hostPort + " sent byte 0x" + Integer.toHexString(b)
                            + "; a QEMU without a return path sends nothing");
                }
            } catch (SocketTimeoutException e) {
                // still open: QEMU keeps it until it has loaded; nothing more to learn
            } catch (SocketException e) {
                throw refused(hostPort, sent, guest, e);
            }
            return sent;
        }
    }

    private static IOException refused(String hostPort, long sent, QemuGuest guest, IOException e) {
        return new IOException("the destination " + hostPort + " closed the connection after " + sent
                + " bytes without reading the whole stream: it refused it (a QEMU logs why and exits;"
                + " e.g. a machine type other than '" + guest.machine() + "' or different RAM blocks): " + e.getMessage(), e);
    }

    /** Counts the bytes that reached the socket. */
    private static final class CountingOutput extends OutputStream {
        private final OutputStream out;
        long count;

        CountingOutput(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}

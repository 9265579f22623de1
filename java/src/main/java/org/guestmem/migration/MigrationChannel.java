package org.guestmem.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Objects;
import org.apache.commons.lang3.Validate;

/**
 * A byte pipe between migration source and destination: TCP between processes or hosts, or an
 * in-process pipe for tests. Closing either end fails the other side's next read or write with an
 * {@link IOException}, which fails the migration; the source guest keeps running.
 */
public interface MigrationChannel extends AutoCloseable {
    OutputStream output() throws IOException;

    InputStream input() throws IOException;

    /** Where the other end is, for messages. */
    String peer();

    @Override
    void close() throws IOException;

    /** Connects to a destination listening at {@code host:port} (e.g. "localhost:4444"). */
    static MigrationChannel connect(String hostPort, int timeoutMillis) throws IOException {
        InetSocketAddress addr = parse(hostPort);
        Socket s = new Socket();
        try {
            s.connect(addr, timeoutMillis);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot connect to migration destination " + hostPort + ": " + e.getMessage(), e);
        }
        return tcp(s);
    }

    /** Waits (up to {@code timeoutMillis}, 0 = forever) for one source to connect on {@code port} (0 = any free port, see {@code onBound}). */
    static MigrationChannel accept(int port, int timeoutMillis, java.util.function.IntConsumer onBound) throws IOException {
        Validate.isTrue(port >= 0 && port <= 65535, "port %d is outside 0..65535", port);
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port));
            server.setSoTimeout(timeoutMillis);
            if (onBound != null) {
                onBound.accept(server.getLocalPort());
            }
            try {
                return tcp(server.accept());
            } catch (SocketTimeoutException e) {
                throw new IOException("no migration source connected to port " + server.getLocalPort() + " within " + timeoutMillis + " ms", e);
            }
        }
    }

    private static MigrationChannel tcp(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        s.setSendBufferSize(4 << 20);
        s.setReceiveBufferSize(4 << 20);
        String peer = s.getRemoteSocketAddress().toString();
        return new MigrationChannel() {
            @Override
            public OutputStream output() throws IOException {
                return s.getOutputStream();
            }

            @Override
            public InputStream input() throws IOException {
                return s.getInputStream();
            }

            @Override
            public String peer() {
                return peer;
            }

            @Override
            public void close() throws IOException {
                s.close();
            }
        };
    }

    /** "host:port" → address; names the bad value otherwise. */
    static InetSocketAddress parse(String hostPort) {
        Objects.requireNonNull(hostPort, "host:port");
        int colon = hostPort.lastIndexOf(':');
        Validate.isTrue(colon > 0 && colon < hostPort.length() - 1, "'%s' is not HOST:PORT", hostPort);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port in '" + hostPort + "' is not a number", e);
        }
        Validate.isTrue(port > 0 && port <= 65535, "port %d in '%s' is outside 1..65535", port, hostPort);
        return new InetSocketAddress(hostPort.substring(0, colon), port);
    }

    /** Two connected in-process ends: what one writes to its output the other reads from its input. */
    static MigrationChannel[] inMemoryPair(int bufferBytes) throws IOException {
        PipedInputStream aIn = new PipedInputStream(bufferBytes), bIn = new PipedInputStream(bufferBytes);
        PipedOutputStream aOut = new PipedOutputStream(bIn), bOut = new PipedOutputStream(aIn);
        return new MigrationChannel[] {pipe("in-memory destination", aIn, aOut), pipe("in-memory source", bIn, bOut)};
    }

    private static MigrationChannel pipe(String peer, PipedInputStream in, PipedOutputStream out) {
        return new MigrationChannel() {
            @Override
            public OutputStream output() {
                return out;
            }

            @Override
            public InputStream input() {
                return in;
            }

            @Override
            public String peer() {
                return peer;
            }

            @Override
            public void close() throws IOException {
                out.close();
                in.close();
            }
        };
    }
}

package dev.kyoto.net;

import java.io.IOException;
import java.util.StringJoiner;

/**
 * Socket options recorded by {@link TcpConnector.Builder} and set on every attempt's
 * {@link TcpSocket} before it binds and connects. A null field leaves the system default;
 * {@code lingerSeconds} is -1 for off.
 */
record TcpSocketOptions(Boolean reuseAddress, Boolean noDelay, Boolean keepAlive, Integer sendBufferSize,
        Integer receiveBufferSize, Integer lingerSeconds) {

    static final TcpSocketOptions DEFAULTS = new TcpSocketOptions(null, null, null, null, null, null);

    /** Sets every recorded option on {@code socket}. */
    void configure(TcpSocket socket) throws IOException {
        if (reuseAddress != null) {
            socket.setReuseAddress(reuseAddress);
        }
        if (noDelay != null) {
            socket.setNoDelay(noDelay);
        }
        if (keepAlive != null) {
            socket.setKeepAlive(keepAlive);
        }
        if (sendBufferSize != null) {
            socket.setSendBufferSize(sendBufferSize);
        }
        if (receiveBufferSize != null) {
            socket.setReceiveBufferSize(receiveBufferSize);
        }
        if (lingerSeconds != null) {
            socket.setLinger(lingerSeconds < 0 ? null : java.time.Duration.ofSeconds(lingerSeconds));
        }
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ");
        if (reuseAddress != null) {
            j.add("SO_REUSEADDR=" + reuseAddress);
        }
        if (noDelay != null) {
            j.add("TCP_NODELAY=" + noDelay);
        }
        if (keepAlive != null) {
            j.add("SO_KEEPALIVE=" + keepAlive);
        }
        if (sendBufferSize != null) {
            j.add("SO_SNDBUF=" + sendBufferSize);
        }
        if (receiveBufferSize != null) {
            j.add("SO_RCVBUF=" + receiveBufferSize);
        }
        if (lingerSeconds != null) {
            j.add("SO_LINGER=" + (lingerSeconds < 0 ? "off" : lingerSeconds + " s"));
        }
        return j.toString();
    }
}

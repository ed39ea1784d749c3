/**
 * @module The relay child's counters, sent with every answer so the agent can
 * log them. Plain numbers bumped in place: the data path pays one increment
 * per connection or datagram, never per TCP chunk (TCP bytes are read from
 * the sockets' own bytesRead/bytesWritten).
 */

export interface RelayMetrics {
  /** TCP connections accepted on any listener. */
  tcpConnections: number;
  /** TCP connections open now (accepted, not yet closed). */
  tcpActive: number;
  /** Dial attempts to an endpoint that failed (refused, unreachable, timed out). */
  tcpDialFailures: number;
  /** Accepted connections reset because every attempt failed. */
  tcpRejected: number;
  /** Socket errors on established connections (client or endpoint side). */
  tcpErrors: number;
  /** TCP payload bytes client → endpoint and endpoint → client (closed connections and open ones). */
  tcpBytesIn: number;
  tcpBytesOut: number;
  /** UDP sessions (client address → upstream socket) created, and open now. */
  udpSessions: number;
  udpActive: number;
  /** UDP datagrams client → endpoint and endpoint → client, and their payload bytes. */
  udpPacketsIn: number;
  udpPacketsOut: number;
  udpBytesIn: number;
  udpBytesOut: number;
  /** UDP send/receive errors (including ICMP refusals from an endpoint) and datagrams dropped. */
  udpErrors: number;
}

export function newMetrics(): RelayMetrics {
  return {
    tcpConnections: 0,
    tcpActive: 0,
    tcpDialFailures: 0,
    tcpRejected: 0,
    tcpErrors: 0,
    tcpBytesIn: 0,
    tcpBytesOut: 0,
    udpSessions: 0,
    udpActive: 0,
    udpPacketsIn: 0,
    udpPacketsOut: 0,
    udpBytesIn: 0,
    udpBytesOut: 0,
    udpErrors: 0,
  };
}

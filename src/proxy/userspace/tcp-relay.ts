/**
 * @module One TCP listener of the userspace proxy: accepts a client, dials an
 * endpoint chosen by the pool's Balancer, then splices the two sockets with
 * `pipe` (backpressure both ways, no per-chunk work of ours). Dialling follows
 * kube-proxy userspace's tryConnectEndpoints: a failed dial (refused,
 * unreachable, timed out) moves on to the next endpoint with growing
 * timeouts (250 ms, 500 ms, 1 s, 2 s ...), skipping the client's affinity;
 * when every attempt failed the client is reset.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Balancer } from './balancer.ts';
import type { RelayMetrics } from './metrics.ts';

/** Upstream's endpointDialTimeout, one per attempt; the last repeats. */
const DIAL_TIMEOUTS_MS = [250, 500, 1000, 2000];
/** Each endpoint once, at least as many tries as upstream's 4, never more than 8 (8 dead endpoints cost ~11 s). */
const MAX_ATTEMPTS = 8;

/** What all TCP listeners of one relay set share. */
export interface TcpShared {
  metrics: RelayMetrics;
  /** Client sockets of open connections (their bytes count in the metrics before they close). */
  open: Set<Socket>;
}

export class TcpRelay {
  readonly #server: Server;
  readonly #shared: TcpShared;
  #balancer: Balancer;

  constructor(opts: { balancer: Balancer; shared: TcpShared }) {
    this.#balancer = opts.balancer;
    this.#shared = opts.shared;
    // pauseOnConnect: the client's bytes stay in the kernel until an endpoint answers, so a
    // failed dial loses nothing and the retry sends everything. allowHalfOpen: a client's FIN
    // is passed on as a FIN (pipe ends the other side), while the reply still flows back.
    this.#server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, this.#onConnection);
  }

  /** Binds; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL, EACCES ...). */
  listen(address: string, port: number): Promise<void> {
    const server = this.#server;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        server.off('listening', onListening);
        reject(err);
      };
      const onListening = (): void => {
        server.off('error', onError);
        // Later server errors are accept failures (EMFILE ...): the server keeps listening.
        server.on('error', () => this.#shared.metrics.tcpErrors++);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host: address, port, backlog: 1024 });
    });
  }

  /** Switches to another pool's balancer (the address now belongs to another service port). */
  use(balancer: Balancer): void {
    this.#balancer = balancer;
  }

  /** Stops accepting. Established connections go on until either side ends them, as upstream. */
  close(): void {
    this.#server.close();
  }

  readonly #onConnection = (client: Socket): void => {
    const { metrics: m, open } = this.#shared;
    m.tcpConnections++;
    m.tcpActive++;
    open.add(client);
    const clientIP = client.remoteAddress ?? '';
    let upstream: Socket | undefined;
    let attempt = 0;

    client.on('error', () => {
      if (upstream) m.tcpErrors++;
    });
    client.on('close', (hadError) => {
      m.tcpActive--;
      open.delete(client);
      m.tcpBytesIn += client.bytesRead;
      m.tcpBytesOut += client.bytesWritten;
      // A client that reset (or was destroyed) takes its endpoint connection with it. A clean
      // close means both directions finished, so the endpoint side is finishing on its own.
      if (hadError || !client.readableEnded) upstream?.destroy();
    });

    const dial = (): void => {
      if (client.destroyed) return;
      const balancer = this.#balancer;
      const attempts = Math.min(Math.max(balancer.size, DIAL_TIMEOUTS_MS.length), MAX_ATTEMPTS);
      const ep = attempt < attempts ? balancer.pick(clientIP, attempt > 0) : undefined;
      if (!ep) {
        m.tcpRejected++;
        client.resetAndDestroy();
        return;
      }
      const timeoutMs = DIAL_TIMEOUTS_MS[Math.min(attempt, DIAL_TIMEOUTS_MS.length - 1)];
      attempt++;
      let connected = false;
      const up = connect({ host: ep.ip, port: ep.port, noDelay: true, allowHalfOpen: true });
      const timer = setTimeout(() => up.destroy(), timeoutMs);
      up.on('error', () => {
        if (connected) m.tcpErrors++;
      });
      up.once('connect', () => {
        clearTimeout(timer);
        connected = true;
        if (client.destroyed) {
          up.destroy();
          return;
        }
        upstream = up;
        up.pipe(client);
        client.pipe(up);
      });
      up.once('close', (hadError) => {
        clearTimeout(timer);
        if (!connected) {
          m.tcpDialFailures++;
          dial();
        } else if (hadError || !up.readableEnded) {
          // The endpoint reset or vanished: so does the client's connection (upstream copyBytes).
          client.destroy();
        }
      });
    };
    dial();
  };
}

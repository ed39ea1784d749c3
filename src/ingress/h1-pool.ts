/**
 * @module Keep-alive connections to endpoints for the fast path, as nginx's
 * upstream `keepalive 320` (per worker, per endpoint here) with a 60 s idle
 * timeout. Each socket gets its listeners once, when it is created, and
 * passes events to whoever holds it (an exchange), so that taking and
 * returning a connection costs no listener churn; an idle socket that
 * talks or closes is dropped.
 */
import { connect, type Socket } from 'node:net';

export interface UpstreamOwner {
  onUpConnect(): void;
  onUpData(b: Buffer): void;
  onUpDrain(): void;
  /** The socket ended, failed or was destroyed while held. */
  onUpClose(err: Error | undefined): void;
}

export interface UpConn {
  sock: Socket;
  ep: string;
  owner: UpstreamOwner | undefined;
  /** When it went idle (ms, the pool's coarse clock). */
  idleSince: number;
  /** True once the socket connected. */
  ready: boolean;
  /** True for a connection taken from the idle list (the upstream may have closed it meanwhile). */
  reused: boolean;
}

const MAX_IDLE = 320;
const IDLE_MS = 60_000;

export class H1Pool {
  readonly #idle = new Map<string, UpConn[]>();
  #closed = false;
  // Idle expiry by a sweep, not a socket timeout per connection: arming and disarming a timer on every
  // take and return costs more than the request's own work on the fast path.
  readonly #sweep = setInterval(() => this.#expire(), 5000).unref();

  acquire(ep: string): UpConn {
    const list = this.#idle.get(ep);
    const c = list?.pop();
    if (c) {
      c.reused = true;
      return c;
    }
    const colon = ep.lastIndexOf(':');
    const sock = connect({ host: ep.slice(0, colon), port: Number(ep.slice(colon + 1)), noDelay: true });
    const conn: UpConn = { sock, ep, owner: undefined, idleSince: 0, ready: false, reused: false };
    sock.on('connect', () => {
      conn.ready = true;
      conn.owner?.onUpConnect();
    });
    sock.on('data', (b: Buffer) => {
      if (conn.owner) conn.owner.onUpData(b);
      else sock.destroy(); // an idle upstream must not talk
    });
    sock.on('drain', () => conn.owner?.onUpDrain());
    let failure: Error | undefined;
    sock.on('error', (e) => (failure = e));
    sock.on('end', () => sock.destroy());
    sock.on('close', () => {
      const o = conn.owner;
      conn.owner = undefined;
      if (o) o.onUpClose(failure ?? new Error('upstream closed the connection'));
      else this.#drop(conn);
    });
    return conn;
  }

  /** Returns a connection whose exchange ended cleanly. */
  release(c: UpConn): void {
    c.owner = undefined;
    if (this.#closed || c.sock.destroyed) return void c.sock.destroy();
    let list = this.#idle.get(c.ep);
    if (!list) this.#idle.set(c.ep, (list = []));
    if (list.length >= MAX_IDLE) return void c.sock.destroy();
    // Paused for a slow client's sake by the last exchange: the next one must read.
    if (c.sock.isPaused()) c.sock.resume();
    c.idleSince = Date.now();
    list.push(c);
  }

  #expire(): void {
    const old = Date.now() - IDLE_MS;
    for (const list of this.#idle.values()) {
      // The list is a stack: the oldest idle connections are at the bottom.
      while (list.length > 0 && list[0].idleSince < old) list.shift()!.sock.destroy();
    }
  }

  /** Closes a held connection that cannot be reused. */
  discard(c: UpConn): void {
    c.owner = undefined;
    c.sock.destroy();
  }

  #drop(c: UpConn): void {
    const list = this.#idle.get(c.ep);
    const i = list ? list.indexOf(c) : -1;
    if (i >= 0) list!.splice(i, 1);
    if (list && list.length === 0) this.#idle.delete(c.ep);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const list of this.#idle.values()) for (const c of list) c.sock.destroy();
    this.#idle.clear();
  }
}

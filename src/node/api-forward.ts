/**
 * @module The API server's door on the node network: a TCP forwarder on
 * the host's address of the isolated network (172.30.0.1 by default) to the
 * API server on loopback. Pods and nodes reach the API there (it is the
 * `kubernetes` Service's endpoint in isolated mode); TLS passes through
 * untouched, so the API server's certificate must name that address.
 * The API server keeps listening on loopback only: nothing is opened on the
 * host's own interfaces.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface ApiForwarder {
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (port 0 or taken: any free one) and pipes every connection to target. */
export async function forwardApi(o: { host: string; port: number; target: { host: string; port: number } }): Promise<ApiForwarder> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(o.target.port, o.target.host);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(o.port);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || o.port === 0) throw e;
    await listen(0);
  }
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : o.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * @module `agnhost serve-hostname` (test/images/agnhost/serve-hostname):
 * answers every HTTP request, TCP connection or UDP datagram with the
 * hostname, which inside a pod is the pod's name. Flags and messages are
 * upstream's. One difference: upstream sleeps 60 s after SIGTERM ("Awaiting
 * pod deletion") so every delete waits out the grace period; nanokube's
 * exits at once, which keeps `kubectl delete` and namespace deletion fast.
 */
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { bindHost, blockForever, fatalf, getHostName, logf, parseFlags, remoteAddr } from './common.ts';

export function serveHostname(args: string[]): void {
  const parsed = parseFlags(args, { tcp: 'bool', udp: 'bool', http: 'bool', close: 'bool', port: 'int' }, 'pflag');
  if ('error' in parsed) {
    process.stderr.write(`Error: ${parsed.error}\n`);
    process.exit(1);
  }
  const f = parsed.values;
  const doTcp = f.tcp === true;
  const doUdp = f.udp === true;
  const doHttp = f.http !== false;
  const doClose = f.close === true;
  const port = (f.port as number | undefined) ?? 9376;
  if (doHttp && (doTcp || doUdp)) fatalf("Can't server TCP/UDP mode and HTTP mode at the same time");
  const name = getHostName();
  const host = bindHost();

  if (doTcp) {
    const srv = createTcpServer((conn) => {
      logf(`TCP request from ${remoteAddr(conn.remoteAddress, conn.remotePort)}`);
      conn.end(name);
    });
    srv.on('error', (err) => fatalf(`Error from net.Listen(): ${err.message}`));
    srv.listen({ port, host });
  }
  if (doUdp) {
    const sock = createSocket('udp4');
    sock.on('error', (err) => fatalf(`Error from ListenUDP(): ${err.message}`));
    sock.on('message', (_m, rinfo) => {
      logf(`UDP request from ${remoteAddr(rinfo.address, rinfo.port)}`);
      sock.send(name, rinfo.port, rinfo.address);
    });
    sock.bind({ port, address: host });
  }
  if (doHttp) {
    const srv = createHttpServer((req, res) => {
      logf(`HTTP request from ${remoteAddr(req.socket.remoteAddress, req.socket.remotePort)}`);
      req.resume();
      const headers: Record<string, string | number> = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(name) };
      if (doClose) headers.Connection = 'close';
      res.writeHead(200, headers);
      res.end(name);
    });
    srv.on('error', (err) => fatalf(String(err)));
    srv.listen({ port, host });
  }
  process.once('SIGTERM', () => {
    logf('Shutting down after receiving signal: terminated.');
    process.exit(0);
  });
  logf(`Serving on port ${port}.`);
  blockForever();
}

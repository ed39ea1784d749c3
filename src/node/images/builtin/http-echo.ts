/**
 * @module hashicorp/http-echo: serves `-text` (or $ECHO_TEXT) plus a newline
 * on every path with `-status-code`, `/health` answers `{"status":"ok"}`,
 * `-listen` defaults to `:5678`, X-App-Name/X-App-Version headers, one
 * access-log line per request on stdout, exit 2 on SIGINT/SIGTERM, all as
 * upstream (main.go, handlers.go of release 1.0.0).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { blockForever, fatalf, goLogPrefix, logf, parseFlags, remoteAddr, splitHostPort } from './common.ts';

const VERSION = '1.0.0';

function main(args: string[]): void {
  const parsed = parseFlags(args, { listen: 'string', text: 'string', version: 'bool', 'status-code': 'int' }, 'flag');
  if ('error' in parsed) {
    process.stderr.write(`${parsed.error}\nUsage of /http-echo:\n`);
    process.exit(2);
  }
  const f = parsed.values;
  if (f.version === true) {
    process.stderr.write(`http-echo v${VERSION}\n`);
    process.exit(0);
  }
  const text = (f.text as string | undefined) || process.env.ECHO_TEXT || '';
  if (text === '') {
    process.stderr.write('Missing -text option or ECHO_TEXT env var!\n');
    process.exit(127);
  }
  if (parsed.positional.length > 0) {
    process.stderr.write('Too many arguments!\n');
    process.exit(127);
  }
  const listen = (f.listen as string | undefined) ?? ':5678';
  const status = (f['status-code'] as number | undefined) ?? 200;
  const addr = splitHostPort(listen);
  if (!addr) fatalf(`[ERR] server exited with: listen tcp: address ${listen}: missing port in address`);

  const srv = createServer((req, res) => {
    const start = process.hrtime.bigint();
    req.resume();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/health') return reply(res, 200, '{"status":"ok"}\n');
    reply(res, status, `${text}\n`);
    accessLog(req, status, Buffer.byteLength(text) + 1, start);
  });
  srv.on('error', (err) => fatalf(`[ERR] server exited with: listen tcp ${listen}: ${err.message}`));
  srv.listen({ port: addr.port, host: addr.host }, () => logf(`[INFO] server is listening on ${listen}`));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      logf('[INFO] received interrupt, shutting down...');
      srv.close();
      // "If we got this far, it was an interrupt, so don't exit cleanly"
      process.exit(2);
    });
  }
  blockForever();
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'X-App-Name': 'http-echo',
    'X-App-Version': VERSION,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** handlers.go httpLogFormat: `%v %s %s "%s %s %s" %d %d "%s" %v`. */
function accessLog(req: IncomingMessage, status: number, length: number, start: bigint): void {
  const micros = Number(process.hrtime.bigint() - start) / 1000;
  const dur = micros < 1000 ? `${micros.toFixed(3).replace(/\.?0+$/, '')}µs` : `${(micros / 1000).toFixed(6).replace(/\.?0+$/, '')}ms`;
  const line = `${goLogPrefix().trim()} ${req.headers.host ?? ''} ${remoteAddr(req.socket.remoteAddress, req.socket.remotePort)} "${req.method} ${new URL(req.url ?? '/', 'http://x').pathname} HTTP/${req.httpVersion}" ${status} ${length} "${req.headers['user-agent'] ?? ''}" ${dur}\n`;
  process.stdout.write(line);
}

main(process.argv.slice(2));

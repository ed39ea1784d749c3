/**
 * @module The `agnhost` binary of registry.k8s.io/e2e-test-images/agnhost:
 * one program, the subcommand picked by the first argument as cobra does.
 * Implemented: netexec, serve-hostname, pause, liveness, porter; plus
 * `dnsutils` (not upstream: a container that just waits, so `kubectl exec`
 * can run the host's nslookup/dig inside the pod).
 */
import { createServer } from 'node:http';
import { bindHost, blockForever, fatalf, logf } from './common.ts';
import { netexec } from './netexec.ts';
import { serveHostname } from './serve-hostname.ts';

const COMMANDS: Record<string, (args: string[]) => void> = {
  netexec,
  'serve-hostname': serveHostname,
  pause,
  liveness,
  porter,
  dnsutils,
};

const USAGE = `Usage:
  app [command]

Available Commands:
  dnsutils       Waits, so the pod's tools can be run with kubectl exec (nanokube)
  help           Help about any command
  liveness       Starts a http server that returns 200 for the first 10 seconds, then 500
  netexec        Creates HTTP(S), UDP, and (optionally) SCTP servers with various endpoints
  pause          Pauses the execution
  porter         Serves requested data on ports specified in ENV variables
  serve-hostname Serves the hostname

Flags:
  -h, --help      help for app
      --version   version for app

Use "app [command] --help" for more information about a command.
`;

/** agnhost pause: prints "Paused", exits 1 on SIGINT and 2 on SIGTERM (upstream's codes). */
function pause(): void {
  // Handlers before the message: whoever waits for "Paused" may signal at once.
  process.once('SIGINT', () => process.exit(1));
  process.once('SIGTERM', () => process.exit(2));
  process.stdout.write('Paused\n');
  blockForever();
}

function dnsutils(): void {
  process.once('SIGTERM', () => process.exit(0));
  process.once('SIGINT', () => process.exit(0));
  blockForever();
}

/** agnhost liveness: /healthz is 200 "ok" for 10 s after start, then 500; /started; /redirect?loc=. */
function liveness(): void {
  const started = Date.now();
  const srv = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://x');
    const secs = (Date.now() - started) / 1000;
    if (url.pathname === '/healthz') {
      res.writeHead(secs > 10 ? 500 : 200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(secs > 10 ? `error: ${secs}` : 'ok');
    } else if (url.pathname === '/started') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${secs}s`);
    } else if (url.pathname === '/redirect') {
      res.writeHead(302, { Location: url.searchParams.get('loc') ?? '/' });
      res.end();
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
    }
  });
  srv.on('error', (err) => fatalf(String(err)));
  srv.listen({ port: 8080, host: bindHost() });
  blockForever();
}

/** agnhost porter: for every SERVE_PORT_<port>=<text>, serves <text> over HTTP on <port>. */
function porter(): void {
  const ports = Object.entries(process.env).filter(([k]) => /^SERVE_PORT_\d+$/.test(k));
  for (const [k, text] of ports) {
    const port = Number(k.slice('SERVE_PORT_'.length));
    const srv = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(text ?? '');
    });
    srv.on('error', (err) => fatalf(String(err)));
    srv.listen({ port, host: bindHost() }, () => logf(`Serving on port ${port}.`));
  }
  blockForever();
}

function main(argv: string[]): void {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (cmd === '--version') {
    process.stdout.write('app version 2.53 (nanokube built-in)\n');
    return;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    process.stderr.write(`Error: unknown command "${cmd}" for "app"\nRun 'app --help' for usage.\n`);
    process.exit(1);
  }
  run(rest);
}

main(process.argv.slice(2));

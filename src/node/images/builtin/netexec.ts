/**
 * @module `agnhost netexec`: the HTTP and UDP test server of the upstream
 * e2e suite (test/images/agnhost/netexec), endpoint for endpoint: `/`,
 * `/clientip`, `/dial`, `/echo`, `/exit`, `/healthz`, `/hostname`,
 * `/hostName`, `/redirect`, `/shell`, `/shutdown`, and a UDP server that
 * answers `hostname`, `echo <msg>` and `clientip`. Not here: SCTP and
 * `/upload` (which falls through to `/`, as an unknown path does).
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { bindHost, fatalf, getHostName, goJson, logf, parseFlags, parseGoDuration, remoteAddr } from './common.ts';

const FLAGS = {
  'http-port': 'int',
  'udp-port': 'int',
  'sctp-port': 'int',
  'tls-cert-file': 'string',
  'tls-private-key-file': 'string',
  'http-override': 'string',
  'udp-listen-addresses': 'string',
} as const;

let udpReady = false;

export function netexec(args: string[]): void {
  const parsed = parseFlags(args, FLAGS, 'pflag');
  if ('error' in parsed) {
    process.stderr.write(`Error: ${parsed.error}\n`);
    process.exit(1);
  }
  if (parsed.positional.length > 0) {
    process.stderr.write(`Error: accepts at most 0 arg(s), received ${parsed.positional.length}\n`);
    process.exit(1);
  }
  const f = parsed.values;
  const httpPort = (f['http-port'] as number | undefined) ?? 8080;
  const udpPort = (f['udp-port'] as number | undefined) ?? 8081;
  const override = (f['http-override'] as string | undefined) ?? '';
  const cert = (f['tls-cert-file'] as string | undefined) ?? '';
  const key = (f['tls-private-key-file'] as string | undefined) ?? '';

  if (udpPort !== -1) {
    const addrs = ((f['udp-listen-addresses'] as string | undefined) ?? '').split(',').filter(Boolean);
    for (const a of addrs.length ? addrs : [bindHost() ?? '']) startUdpServer(a, udpPort);
  }
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(override || req.url || '/', 'http://x');
    readForm(req, url).then((form) => route(req, res, url, form));
  };
  const server = cert ? createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key || cert) }, handler) : createServer(handler);
  server.on('error', (err) => fatalf(String(err)));
  server.listen({ port: httpPort, host: bindHost() }, () => logf(`Started HTTP server on port ${httpPort}`));
}

/** r.FormValue: the query, plus an urlencoded POST body. */
async function readForm(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const form = new URLSearchParams(url.search);
  if (req.method === 'POST' && (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    let body = '';
    for await (const chunk of req) body += chunk;
    for (const [k, v] of new URLSearchParams(body)) form.append(k, v);
  } else {
    req.resume();
  }
  return form;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function route(req: IncomingMessage, res: ServerResponse, url: URL, form: URLSearchParams): void {
  const q = (k: string) => form.get(k) ?? '';
  switch (url.pathname) {
    case '/clientip':
      logf('GET /clientip');
      return send(res, 200, remoteAddr(req.socket.remoteAddress, req.socket.remotePort));
    case '/echo': {
      const msg = q('msg');
      const code = q('code');
      logf(`GET /echo?msg=${msg}&code=${code}`);
      if (code !== '' && !/^[+-]?\d+$/.test(code)) return send(res, 200, `argument 'code' must be an integer or empty, got "${code}"\n`);
      return send(res, code === '' ? 200 : Number(code), msg);
    }
    case '/exit':
      return exit(res, q('code'), q('timeout'), q('wait'));
    case '/healthz':
      logf('GET /healthz');
      return send(res, udpReady ? 200 : 412, '');
    case '/hostname':
    case '/hostName':
      logf(`GET ${url.pathname}`);
      return send(res, 200, getHostName());
    case '/redirect': {
      const location = q('location');
      const code = q('code') === '' ? 302 : Number(q('code'));
      logf(`${req.method} /redirect?msg=${location}&code=${q('code')}`);
      res.writeHead(code, { Location: location, 'Content-Type': 'text/html; charset=utf-8' });
      return void res.end(req.method === 'GET' ? `<a href="${location}">${code === 301 ? 'Moved Permanently' : code === 307 ? 'Temporary Redirect' : code === 308 ? 'Permanent Redirect' : 'Found'}</a>.\n\n` : '');
    }
    case '/shell':
      return shell(res, q('shellCommand') || q('cmd'));
    case '/dial':
      return void dial(res, url.searchParams);
    case '/shutdown':
      logf('GET /shutdown');
      return process.exit(0);
    default:
      logf('GET /');
      return send(res, 200, `NOW: ${goNow()}`);
  }
}

/** Go's time.Now().String(): `2006-01-02 15:04:05.999999999 +0000 UTC m=+0.000000001`. */
function goNow(): string {
  const d = new Date();
  const iso = d.toISOString();
  const frac = `${iso.slice(20, 23)}${String(process.hrtime.bigint() % 1_000_000n).padStart(6, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC m=+${process.uptime().toFixed(9)}`;
}

function exit(res: ServerResponse, code: string, timeout: string, wait: string): void {
  logf(`GET /exit?code=${code}&timeout=${timeout}&wait=${wait}`);
  const t = timeout === '' ? 0 : parseGoDuration(timeout);
  if (t === null) return send(res, 200, `argument 'timeout' must be a valid golang duration or empty, got "${timeout}"\n`);
  const w = wait === '' ? 0 : parseGoDuration(wait);
  if (w === null) return send(res, 200, `argument 'wait' must be a valid golang duration or empty, got "${wait}"\n`);
  if (code !== '' && !/^[+-]?\d+$/.test(code)) return send(res, 200, `argument 'code' must be an integer [0-127] or empty, got "${code}"\n`);
  const c = code === '' ? 0 : Number(code);
  logf(`Will begin shutdown in ${wait || '0s'}, allowing ${timeout || '0s'} for connections to close, then will exit with ${c}`);
  // Upstream exits while the request is open: with timeout 0 the client sees the connection drop.
  setTimeout(() => {
    if (t === 0) process.exit(c);
    res.end();
    setTimeout(() => process.exit(c), Math.min(t, 100));
  }, w);
}

function shell(res: ServerResponse, cmd: string): void {
  logf(`GET /shell?cmd=${cmd}`);
  execFile('/bin/sh', ['-c', cmd], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
    const output: Record<string, string> = {};
    // CombinedOutput: both streams in one buffer (ordering across streams is not kept here).
    if (stdout.length + stderr.length > 0) output.output = stdout + stderr;
    if (err) output.error = typeof err.code === 'number' ? `exit status ${err.code}` : err.signal ? `signal: ${signalName(err.signal)}` : String(err.message);
    logf(`Output: map[${Object.entries(output).map(([k, v]) => `${k}:${v}`).join(' ')}]`);
    send(res, 200, goJson(output));
  });
}

function signalName(sig: string): string {
  return ({ SIGKILL: 'killed', SIGTERM: 'terminated', SIGINT: 'interrupt' } as Record<string, string>)[sig] ?? sig;
}

async function dial(res: ServerResponse, params: URLSearchParams): Promise<void> {
  const host = params.get('host') ?? '';
  const port = params.get('port') ?? '';
  const request = params.get('request') ?? '';
  const protocol = (params.get('protocol') ?? '').toLowerCase();
  const triesParam = params.get('tries') ?? '';
  logf(`GET /dial?host=${host}&protocol=${protocol}&port=${port}&request=${request}&tries=${triesParam}`);
  let tries = 1;
  if (triesParam !== '') {
    if (!/^[+-]?\d+$/.test(triesParam)) return send(res, 400, `tries parameter is invalid. strconv.Atoi: parsing "${triesParam}": invalid syntax\n`);
    tries = Number(triesParam);
  }
  if (request === '') return send(res, 400, 'request parameter not specified. <nil>\n');
  if (!/^\d+$/.test(port) || Number(port) > 65535) return send(res, 400, `host and/or port param are invalid. address ${port}: invalid port\n`);
  const dialer = protocol === '' || protocol === 'http' ? dialHttp : protocol === 'udp' ? dialUdp : null;
  if (!dialer) return send(res, 400, `unsupported protocol. ${protocol}\n`);
  const responses: string[] = [];
  const errors: string[] = [];
  let last = '';
  for (let i = 0; i < tries; i++) {
    try {
      last = await dialer(request, host, Number(port));
      responses.push(last);
    } catch (err) {
      last = '';
      errors.push((err as Error).message);
    }
  }
  const out: Record<string, string[]> = {};
  if (last.length > 0) out.responses = responses;
  if (errors.length > 0) out.errors = errors;
  send(res, 200, goJson(out));
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function dialHttp(request: string, host: string, port: number): Promise<string> {
  const url = `http://${joinHostPort(host, port)}/${request}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: 5000, agent: false }, (resp) => {
      let body = '';
      resp.setEncoding('utf8');
      resp.on('data', (c) => (body += c));
      resp.on('end', () => resolve(body));
      resp.on('error', (e) => reject(e));
    });
    req.on('timeout', () => req.destroy(new Error(`Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.message.startsWith('Get "') ? e.message : `Get "${url}": dial tcp ${joinHostPort(host, port)}: ${goErrno(e)}`)));
    req.end();
  });
}

function dialUdp(request: string, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => done(new Error("reading from udp connection failed. err:'i/o timeout'")), 5000);
    const done = (err: Error | null, msg?: string) => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(msg!);
    };
    sock.on('message', (m) => done(null, m.toString()));
    sock.on('error', (e: NodeJS.ErrnoException) => done(new Error(`reading from udp connection failed. err:'${goErrno(e)}'`)));
    sock.send(request, port, host, (e) => e && done(new Error(`udp connection write failed. err:${e.message}`)));
  });
}

function goErrno(e: NodeJS.ErrnoException): string {
  const map: Record<string, string> = { ECONNREFUSED: 'connect: connection refused', EHOSTUNREACH: 'connect: no route to host', ENETUNREACH: 'connect: network is unreachable', ETIMEDOUT: 'i/o timeout', ENOTFOUND: 'no such host' };
  return (e.code && map[e.code]) ?? e.message;
}

function startUdpServer(address: string, port: number): void {
  const sock = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  sock.on('error', (err) => fatalf(`Error occurred: failed to create listener for UDP address ${address}:${port}:${err.message}`));
  sock.on('message', (buf, rinfo) => {
    const text = buf.toString().trim().toLowerCase();
    const client = remoteAddr(rinfo.address, rinfo.port);
    let reply: string | undefined;
    if (text === 'hostname') {
      logf('Sending udp hostName response');
      reply = getHostName();
    } else if (text.startsWith('echo ')) {
      reply = text.slice(5);
      logf(`Echoing ${reply} to UDP client ${client}`);
    } else if (text === 'clientip') {
      logf(`Sending clientip back to UDP client ${client}`);
      reply = client;
    } else if (text.length > 0) {
      logf(`Unknown UDP command received from ${client}: ${text}`);
    }
    if (reply !== undefined) sock.send(reply, rinfo.port, rinfo.address);
  });
  sock.bind({ port, address: address || undefined }, () => {
    logf(`Started UDP server on port ${address} ${port}`);
    udpReady = true;
  });
}

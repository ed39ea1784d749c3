/**
 * @module The nginx image's stand-in when the machine has no nginx: a
 * static server answering as the official image's default server does (the
 * welcome page on `/` and `/index.html`, 50x.html, nginx's own 404 and 405
 * pages, `Server: nginx/<version>`, ETag and Last-Modified of the page), an
 * access-log line per request on stdout in the image's `main` format, and
 * exit 0 on SIGTERM/SIGQUIT. `--multitool wbitt|praqma` serves the one-line
 * page of the network-multitool images on $HTTP_PORT (default 80) instead.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import { NGINX_50X_HTML, NGINX_VERSION, NGINX_WELCOME_HTML, nginxErrorPage } from '../pages.ts';
import { bindHost, blockForever, getHostName } from './common.ts';

// The pages' mtime in the official image, which ETag and Last-Modified are derived from.
const MTIME = new Date('2024-11-26T15:55:00Z');
const REASONS: Record<number, string> = { 404: 'Not Found', 405: 'Not Allowed' };
const PID = process.pid;

interface Page {
  body: string;
  type: string;
}

function main(args: string[]): void {
  const ports: number[] = [];
  let multitool = '';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--listen') ports.push(Number(args[++i]));
    else if (args[i] === '--multitool') multitool = args[++i] ?? 'wbitt';
  }
  const pages = new Map<string, Page>();
  if (multitool) {
    const index = multitoolIndex(multitool);
    process.stdout.write(multitool === 'wbitt' ? `The directory /usr/share/nginx/html is not mounted.\nOver-writing the default index.html file with some useful information.\n${index}` : '');
    pages.set('/', { body: index, type: 'text/html' });
    pages.set('/index.html', { body: index, type: 'text/html' });
    ports.push(Number(process.env.HTTP_PORT || 80));
  } else {
    pages.set('/', { body: NGINX_WELCOME_HTML, type: 'text/html' });
    pages.set('/index.html', { body: NGINX_WELCOME_HTML, type: 'text/html' });
    pages.set('/50x.html', { body: NGINX_50X_HTML, type: 'text/html' });
    process.stdout.write('/docker-entrypoint.sh: Configuration complete; ready for start up\n');
  }
  if (ports.length === 0) ports.push(80);
  const host = bindHost();
  let listening = 0;
  for (const port of ports) {
    const srv = createServer((req, res) => serve(req, res, pages));
    srv.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code === 'EADDRINUSE' ? '98: Address already in use' : err.code === 'EACCES' ? '13: Permission denied' : err.message;
      errorLog('emerg', `bind() to ${host ?? '0.0.0.0'}:${port} failed (${code})`);
      process.exit(1);
    });
    srv.listen({ port, host }, () => {
      if (++listening === ports.length) {
        errorLog('notice', `nginx/${NGINX_VERSION}`);
        errorLog('notice', 'start worker processes');
      }
    });
  }
  for (const [sig, num] of [['SIGTERM', 15], ['SIGQUIT', 3], ['SIGINT', 2]] as const) {
    process.once(sig, () => {
      errorLog('notice', `signal ${num} (${sig}) received, exiting`);
      process.exit(0);
    });
  }
  blockForever();
}

/** The line the multitool entrypoints write to index.html (with echo's trailing newline). */
function multitoolIndex(flavour: string): string {
  const ip = podAddress();
  if (flavour === 'praqma') return `Praqma Network MultiTool (with NGINX) - ${getHostName()} - ${ip}\n`;
  return `WBITT Network MultiTool (with NGINX) - ${getHostName()} - ${ip} - HTTP: ${process.env.HTTP_PORT || 80} , HTTPS: ${process.env.HTTPS_PORT || 443} . (Formerly praqma/network-multitool)\n`;
}

/** `ip addr show eth0 | grep -w inet | awk '{print $2}'`: eth0's address/prefix, else the first non-loopback IPv4. */
function podAddress(): string {
  const all = networkInterfaces();
  const v4 = (name: string) => (all[name] ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.cidr ?? a.address);
  const eth0 = v4('eth0');
  if (eth0.length) return eth0.join('\n');
  for (const name of Object.keys(all)) if (v4(name).length) return v4(name)[0];
  return '';
}

function serve(req: IncomingMessage, res: ServerResponse, pages: Map<string, Page>): void {
  req.resume();
  let path = '';
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {}
  const page = pages.get(path);
  let status: number;
  let body: string;
  const headers: Record<string, string | number> = { Server: `nginx/${NGINX_VERSION}`, Date: new Date().toUTCString() };
  if (page && (req.method === 'GET' || req.method === 'HEAD')) {
    status = 200;
    body = page.body;
    const size = Buffer.byteLength(body);
    Object.assign(headers, {
      'Content-Type': page.type,
      'Content-Length': size,
      'Last-Modified': MTIME.toUTCString(),
      ETag: `"${Math.floor(MTIME.getTime() / 1000).toString(16)}-${size.toString(16)}"`,
      'Accept-Ranges': 'bytes',
    });
    if (req.headers['if-none-match'] === headers.ETag) {
      status = 304;
      body = '';
      delete headers['Content-Length'];
      delete headers['Content-Type'];
    }
  } else {
    status = page ? 405 : 404;
    body = nginxErrorPage(status, REASONS[status]);
    Object.assign(headers, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
  }
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  const sent = req.method === 'HEAD' ? 0 : Buffer.byteLength(body);
  accessLog(req, status, sent);
}

/** log_format main of the image's nginx.conf. */
function accessLog(req: IncomingMessage, status: number, bytes: number): void {
  const ip = (req.socket.remoteAddress ?? '-').replace(/^::ffff:/, '');
  const h = (name: string) => {
    const v = req.headers[name];
    return v === undefined ? '-' : Array.isArray(v) ? v.join(', ') : v;
  };
  process.stdout.write(`${ip} - - [${timeLocal(new Date())}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${bytes} "${h('referer')}" "${h('user-agent')}" "${h('x-forwarded-for')}"\n`);
}

/** $time_local: `22/Nov/2026:02:00:00 +0000`. */
function timeLocal(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** nginx's error_log line: `2026/11/22 02:00:00 [notice] 1#1: message`. */
function errorLog(level: string, msg: string): void {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const ts = `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  process.stderr.write(`${ts} [${level}] ${PID}#${PID}: ${msg}\n`);
}

main(process.argv.slice(2));

/**
 * @module The responses the proxy writes itself, byte for byte as nginx
 * writes them (ingress-nginx's default backend is nginx's own 404 page):
 * `<html>... <hr><center>nginx</center> ...` with CRLF line ends,
 * `Content-Type: text/html`, `Server: nginx` (server_tokens off).
 */

/** nginx's titles (they differ from Node's STATUS_CODES for 302, 503, 504). */
const TITLES: Record<number, string> = {
  301: '301 Moved Permanently',
  302: '302 Found',
  303: '303 See Other',
  307: '307 Temporary Redirect',
  308: '308 Permanent Redirect',
  400: '400 Bad Request',
  403: '403 Forbidden',
  404: '404 Not Found',
  413: '413 Request Entity Too Large',
  502: '502 Bad Gateway',
  503: '503 Service Temporarily Unavailable',
  504: '504 Gateway Time-out',
};

const cache = new Map<number, Buffer>();

export function pageTitle(status: number): string {
  return TITLES[status] ?? `${status}`;
}

/** The body of nginx's built-in page for a status. */
export function errorPage(status: number): Buffer {
  let b = cache.get(status);
  if (!b) {
    const t = pageTitle(status);
    b = Buffer.from(`<html>\r\n<head><title>${t}</title></head>\r\n<body>\r\n<center><h1>${t}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`);
    cache.set(status, b);
  }
  return b;
}

/** A whole raw HTTP/1.1 response, for upgrade requests answered before any backend. */
export function rawResponse(status: number, extra: Record<string, string> = {}): string {
  const body = errorPage(status);
  const head = [`HTTP/1.1 ${pageTitle(status)}`, 'Server: nginx', 'Content-Type: text/html', `Content-Length: ${body.length}`, 'Connection: close'];
  for (const [k, v] of Object.entries(extra)) head.push(`${k}: ${v}`);
  return head.join('\r\n') + '\r\n\r\n' + body.toString('latin1');
}

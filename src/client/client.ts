/**
 * @module The typed HTTP client every component uses to talk to the API
 * (never the store): JSON requests with the cluster CA and a bearer token,
 * resource paths, and watch streams of newline-delimited events.
 */
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeList, KubeObject } from '../api/meta.ts';
import { apiVersionOf } from '../api/meta.ts';
import type { ResourceDef } from '../api/resources.ts';

export interface ClientOptions {
  server: string;
  token: string;
  caCert: string;
  userAgent: string;
}

export class ClientError extends Error {
  readonly code: number;
  readonly status?: { reason?: string; message?: string };
  constructor(code: number, message: string, status?: { reason?: string; message?: string }) {
    super(message);
    this.name = 'ClientError';
    this.code = code;
    this.status = status;
  }
  get reason(): string {
    return this.status?.reason ?? '';
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ClientError && e.code === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof ClientError && e.code === 409;
}

export interface WatchEventMsg {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject;
}

export function resourcePath(def: ResourceDef, namespace?: string, name?: string, sub?: string): string {
  let p = def.group ? `/apis/${apiVersionOf(def.group, def.version)}` : '/api/v1';
  if (def.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${def.plural}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (sub) p += `/${sub}`;
  return p;
}

export class Client {
  readonly #opts: ClientOptions;
  readonly #agent: Agent;
  readonly #url: URL;
  constructor(opts: ClientOptions) {
    this.#opts = opts;
    this.#url = new URL(opts.server);
    this.#agent = new Agent({ keepAlive: true, ca: opts.caCert, maxSockets: 64 });
  }

  #open(method: string, path: string, body?: unknown, contentType = 'application/json', signal?: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(
        {
          host: this.#url.hostname,
          port: this.#url.port,
          method,
          path,
          agent: this.#agent,
          signal,
          headers: {
            Authorization: `Bearer ${this.#opts.token}`,
            Accept: 'application/json',
            'User-Agent': this.#opts.userAgent,
            ...(data !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) } : {}),
          },
        },
        resolve,
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  async request<T = KubeObject>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.#open(method, path, body, contentType);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const code = res.statusCode ?? 0;
    if (code >= 400) {
      let status: { reason?: string; message?: string } | undefined;
      try {
        status = JSON.parse(text);
      } catch {}
      throw new ClientError(code, status?.message ?? `${method} ${path}: HTTP ${code}`, status);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get(def: ResourceDef, ns: string | undefined, name: string): Promise<KubeObject> {
    return this.request('GET', resourcePath(def, ns, name));
  }
  list(def: ResourceDef, ns?: string, query = ''): Promise<KubeList> {
    return this.request('GET', resourcePath(def, ns) + (query ? `?${query}` : ''));
  }
  create(def: ResourceDef, obj: KubeObject): Promise<KubeObject> {
    return this.request('POST', resourcePath(def, obj.metadata.namespace), obj);
  }
  update(def: ResourceDef, obj: KubeObject, sub?: string): Promise<KubeObject> {
    return this.request('PUT', resourcePath(def, obj.metadata.namespace, obj.metadata.name, sub), obj);
  }
  patch(def: ResourceDef, ns: string | undefined, name: string, patch: unknown, type = 'application/merge-patch+json', sub?: string): Promise<KubeObject> {
    return this.request('PATCH', resourcePath(def, ns, name, sub), patch, type);
  }
  delete(def: ResourceDef, ns: string | undefined, name: string, opts: object = {}): Promise<KubeObject> {
    return this.request('DELETE', resourcePath(def, ns, name), { kind: 'DeleteOptions', apiVersion: 'v1', ...opts });
  }

  /** Streams watch events until the server ends the watch or the signal aborts. */
  async watch(def: ResourceDef, query: string, onEvent: (e: WatchEventMsg) => void, signal: AbortSignal, ns?: string): Promise<void> {
    const res = await this.#open('GET', `${resourcePath(def, ns)}?watch=true&${query}`, undefined, undefined, signal);
    if ((res.statusCode ?? 0) >= 400) {
      res.resume();
      throw new ClientError(res.statusCode ?? 0, `watch ${def.plural}: HTTP ${res.statusCode}`);
    }
    let buf = '';
    try {
      for await (const chunk of res) {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) onEvent(JSON.parse(line) as WatchEventMsg);
        }
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  }

  close(): void {
    this.#agent.destroy();
  }
}

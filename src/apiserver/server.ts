/**
 * @module The API server: HTTPS with the cluster's certificate, bearer-token
 * authentication, and the dispatch of every request to discovery, OpenAPI,
 * health, or a resource handler.
 */
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import * as errors from '../api/errors.ts';
import { findResource, resources, type ResourceDef } from '../api/resources.ts';
import type { Store } from '../store/types.ts';
import { Admission } from './admission/index.ts';
import { AGGREGATED_TYPE, AGGREGATED_TYPE_BETA, aggregated, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, VERSION, wantsAggregated } from './discovery.ts';
import type { Ctx, Services } from './handlers/context.ts';
import { handleDelete, handleDeleteCollection } from './handlers/delete.ts';
import { handleGet, handleList } from './handlers/read.ts';
import { handleBinding, handleEviction, handleFinalize, handleScale } from './handlers/subresources.ts';
import { handleWatch } from './handlers/watch.ts';
import { handleCreate, handlePatch, handleUpdate } from './handlers/write.ts';
import { sendError, sendJson } from './http.ts';
import { Objects } from './objects.ts';
import { parseRequest, type ResourceRequest } from './request-info.ts';
import type { TypeSystem } from './type-system.ts';
import { serveOpenApi } from './openapi-handler.ts';
import { handlePodStream, handleStreamUpgrade } from './streams/index.ts';

export interface ApiServerOptions {
  store: Store;
  types: TypeSystem;
  tls: { cert: string; key: string };
  token: string;
  host: string;
  port: number;
  serviceCidr: string;
  nodePortRange: [number, number];
  log: (line: string) => void;
}

const anonymousPaths = /^\/(healthz|livez|readyz|version)(\/|$)/;

export class ApiServer {
  readonly objects: Objects;
  readonly admission: Admission;
  readonly #opts: ApiServerOptions;
  readonly #token: Buffer;
  readonly #quotaTimers = new Map<string, NodeJS.Timeout>();
  #signal: AbortSignal = new AbortController().signal;
  #port = 0;

  constructor(opts: ApiServerOptions) {
    this.#opts = opts;
    this.#token = Buffer.from(opts.token);
    this.objects = new Objects({ store: opts.store });
    this.admission = new Admission({ store: opts.store, objects: this.objects, serviceCidr: opts.serviceCidr, nodePortRange: opts.nodePortRange });
  }

  get port(): number {
    return this.#port;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    const server = createServer({ cert: this.#opts.tls.cert, key: this.#opts.tls.key, keepAliveTimeout: 120_000 }, (req, res) => {
      this.#handle(req, res).catch((e) => sendError(res, e));
    });
    server.headersTimeout = 60_000;
    server.on('upgrade', (req, socket, head) => handleStreamUpgrade({ objects: this.objects, token: this.#opts.token, signal }, req, socket, head));
    server.requestTimeout = 0; // watches are long-lived
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#opts.port, this.#opts.host, () => resolve());
    });
    const addr = server.address();
    this.#port = typeof addr === 'object' && addr ? addr.port : this.#opts.port;
    signal.addEventListener('abort', () => {
      for (const t of this.#quotaTimers.values()) clearTimeout(t);
      server.close();
      server.closeAllConnections();
    }, { once: true });
  }

  #authenticated(req: IncomingMessage): boolean {
    const h = String(req.headers.authorization ?? '');
    if (!h.startsWith('Bearer ')) return false;
    const given = Buffer.from(h.slice(7).trim());
    return given.length === this.#token.length && timingSafeEqual(given, this.#token);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (!anonymousPaths.test(path) && !this.#authenticated(req)) throw errors.unauthorized();
    if (/^\/(healthz|livez|readyz)(\/|$)/.test(path)) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('ok');
    }
    if (path === '/version') return sendJson(res, 200, VERSION);
    if (path.startsWith('/openapi/')) return serveOpenApi(req, res, path, url.searchParams);
    const agg = wantsAggregated(req.headers.accept);
    if (path === '/api' || path === '/apis') {
      if (agg) {
        const type = agg === 'v2' ? AGGREGATED_TYPE : AGGREGATED_TYPE_BETA;
        return sendJson(res, 200, aggregated(path === '/api', agg), { 'Content-Type': type, Vary: 'Accept' });
      }
      return sendJson(res, 200, path === '/api' ? apiVersions(`${req.socket.localAddress}:${this.#port}`) : apiGroupList());
    }
    const info = parseRequest(req.method ?? 'GET', path, url.searchParams);
    if (info.kind === 'nonresource') {
      const m = path.match(/^\/(?:api\/(v1)|apis\/([^/]+)(?:\/([^/]+))?)$/);
      if (m) {
        const doc = m[1] ? apiResourceList('', m[1]) : m[3] ? apiResourceList(m[2], m[3]) : apiGroupDoc(m[2]);
        if (doc) return sendJson(res, 200, doc);
      }
      throw new errors.ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    const def = findResource(info.group, info.version, info.resource);
    if (!def || (info.namespace !== undefined && !def.namespaced)) {
      throw new errors.ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    const ctx: Ctx = { ...this.#services(), req, res, info, def, query: url.searchParams, now: new Date(), warnings: [], user: 'admin' };
    await this.#dispatch(ctx, info);
  }

  #services(): Services {
    return {
      objects: this.objects,
      types: this.#opts.types,
      admission: this.admission,
      afterWrite: (def, ns) => this.#afterWrite(def, ns),
    };
  }

  async #dispatch(ctx: Ctx, info: ResourceRequest): Promise<void> {
    const sub = info.subresource;
    const gr = { group: ctx.def.group, resource: sub ? `${ctx.def.plural}/${sub}` : ctx.def.plural };
    if (sub) {
      if (sub === 'scale') return handleScale(ctx);
      if (sub === 'status' && ctx.def.status) {
        if (info.verb === 'get') return handleGet(ctx);
        if (info.verb === 'update') return handleUpdate(ctx);
        if (info.verb === 'patch') return handlePatch(ctx);
        throw errors.methodNotSupported(gr, info.verb);
      }
      if (ctx.def.kind === 'Pod' && sub === 'binding' && info.verb === 'create') return handleBinding(ctx);
      if (ctx.def.kind === 'Pod' && sub === 'eviction' && info.verb === 'create') return handleEviction(ctx);
      if (ctx.def.kind === 'Namespace' && sub === 'finalize' && info.verb === 'update') return handleFinalize(ctx);
      if (ctx.def.kind === 'Pod' && (sub === 'log' || sub === 'exec' || sub === 'attach' || sub === 'portforward')) return handlePodStream(ctx, { token: this.#opts.token });
      throw new errors.ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    switch (info.verb) {
      case 'get':
        return handleGet(ctx);
      case 'list':
        return handleList(ctx);
      case 'watch':
        return handleWatch(ctx, this.#signal);
      case 'create':
        if (info.name !== undefined) throw errors.methodNotSupported(gr, 'create');
        return handleCreate(ctx);
      case 'update':
        return handleUpdate(ctx);
      case 'patch':
        return handlePatch(ctx);
      case 'delete':
        return handleDelete(ctx);
      case 'deletecollection':
        return handleDeleteCollection(ctx);
    }
  }

  /** Keeps ResourceQuota status.used current after writes in a namespace (debounced). */
  #afterWrite(def: ResourceDef, ns: string | undefined): void {
    if (!ns || def.kind === 'Event' || def.kind === 'Lease' || this.#signal.aborted) return;
    if (this.#quotaTimers.has(ns)) return;
    const quotaDef = resources.find((d) => d.kind === 'ResourceQuota')!;
    this.#quotaTimers.set(
      ns,
      setTimeout(() => {
        this.#quotaTimers.delete(ns);
        this.admission.quota
          .refresh(ns, async (q) => {
            await this.objects.guaranteedUpdate(quotaDef, ns, q.metadata.name!, (cur) => ({ ...cur, status: q.status }));
          })
          .catch((e) => this.#opts.log(`apiserver: quota status ${ns}: ${(e as Error).message}`));
      }, 50),
    );
  }
}

/**
 * @module The ingress controller program, run in the add-on pod as
 * `/nginx-ingress-controller`: informers for Ingresses, IngressClasses,
 * Services, EndpointSlices, TLS Secrets and Nodes feed the control loop;
 * the proxy runs in `--workers` processes; /healthz (200 once the first
 * table is live and the ports listen) and /metrics on --healthz-port.
 * SIGTERM stops accepting, lets requests in flight finish, and exits 0.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { KubeObject } from '../api/meta.ts';
import { findKind } from '../api/resources.ts';
import { Client } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { newRecorder } from '../controllers/events.ts';
import { selfSignedCert } from './certs.ts';
import { parseConfig, type IngressConfig } from './config.ts';
import { IngressController, type ClusterView } from './controller.ts';
import { renderMetrics } from './metrics.ts';
import { clusterPool, inProcessPool, runWorker, type ProxyPool } from './workers.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

function informers(client: Client) {
  const def = (group: string, kind: string) => {
    const d = findKind(group, kind);
    if (!d) throw new Error(`resource ${kind} is not served`);
    return d;
  };
  return {
    ingresses: new Informer({ client, def: def('networking.k8s.io', 'Ingress') }),
    classes: new Informer({ client, def: def('networking.k8s.io', 'IngressClass') }),
    services: new Informer({ client, def: def('', 'Service') }),
    slices: new Informer({ client, def: def('discovery.k8s.io', 'EndpointSlice') }),
    // Only TLS Secrets: the controller has no business reading the others.
    secrets: new Informer({ client, def: def('', 'Secret'), fieldSelector: 'type=kubernetes.io/tls' }),
    nodes: new Informer({ client, def: def('', 'Node') }),
  };
}

function clusterView(inf: ReturnType<typeof informers>): ClusterView {
  const all = Object.values(inf);
  return {
    ingresses: () => inf.ingresses.list(),
    ingressClasses: () => inf.classes.list(),
    services: () => inf.services.list(),
    endpointSlices: () => inf.slices.list(),
    secrets: () => inf.secrets.list(),
    nodes: () => inf.nodes.list(),
    onChange: (cb) => {
      for (const i of all) i.on(() => cb());
    },
    waitSynced: async () => {
      await Promise.all(all.map((i) => i.waitSynced()));
    },
  };
}

async function run(cfg: IngressConfig): Promise<void> {
  if (!cfg.apiServer || !cfg.apiToken) throw new Error('NANOKUBE_API_SERVER and NANOKUBE_API_TOKEN must be set');
  for (const f of cfg.ignored) log(`ingress: flag ${f} is not implemented by nanokube; ignored`);
  const ac = new AbortController();
  const client = new Client({ server: cfg.apiServer, token: cfg.apiToken, caCert: cfg.apiCa, userAgent: 'nginx-ingress-controller (nanokube)' });
  const inf = informers(client);
  const ingressDef = inf.ingresses.def;
  const t0 = performance.now();
  // The caches fill while the certificate is made and the workers start.
  for (const i of Object.values(inf)) void i.start(ac.signal);
  const defaultCert = await selfSignedCert();
  const poolOpts = { workers: cfg.workers, httpPort: cfg.httpPort, httpsPort: cfg.httpsPort, address: cfg.bindAddress, defaultCert, accessLog: cfg.accessLog, log };
  const pool: ProxyPool = cfg.workers > 1 ? await clusterPool(poolOpts) : await inProcessPool(poolOpts);
  const controller = new IngressController({
    view: clusterView(inf),
    status: { patchStatus: async (ing: KubeObject, patch: object) => void (await client.patch(ingressDef, ing.metadata.namespace, ing.metadata.name!, patch, 'application/merge-patch+json', 'status')) },
    recorder: newRecorder({ client, component: 'nginx-ingress-controller', host: process.env.POD_NAME, log }),
    publishService: cfg.publishService,
    watchNamespace: cfg.watchNamespace,
    ingressClass: cfg.ingressClass,
    controllerClass: cfg.controllerClass,
    apply: (t) => pool.apply(t),
    log,
  });

  const health = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      const ok = controller.ready() && pool.ready();
      res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain' });
      res.end(ok ? 'ok' : 'not ready');
    } else if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(renderMetrics({ requests: pool.counts(), reloads: controller.reloads, tableVersion: controller.version, programming: controller.programming, workers: pool.workers() }));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    health.once('error', reject);
    health.listen(cfg.healthzPort, cfg.bindAddress, resolve);
  });

  let stopping = false;
  const stop = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log(`ingress: ${sig}: shutting down (grace ${cfg.shutdownGraceSeconds}s)`);
    ac.abort();
    health.close();
    void pool.close(cfg.shutdownGraceSeconds * 1000).then(() => {
      client.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await controller.start(ac.signal);
  log(
    `ingress: ready workers=${pool.workers()} http=${cfg.httpPort} https=${cfg.httpsPort} healthz=${cfg.healthzPort} class=${cfg.ingressClass} controller=${cfg.controllerClass} took=${((performance.now() - t0) / 1000).toFixed(3)}s`,
  );
}

if (cluster.isWorker) {
  runWorker();
} else {
  let cfg: IngressConfig;
  try {
    cfg = parseConfig(process.argv.slice(2), process.env);
  } catch (e) {
    log(`ingress: ${(e as Error).message}`);
    process.exit(2);
  }
  run(cfg).catch((e: Error) => {
    log(`ingress: ${e.message}`);
    process.exit(1);
  });
}

/**
 * @module `nanokube server`: reads like a script, each component behind a
 * switch. Opens the store, loads or creates the PKI and token, starts the
 * API server, creates the built-in objects, writes the kubeconfig, prints
 * `nanokube is ready`, and stops everything cleanly on SIGINT/SIGTERM.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerConfig } from '../config.ts';
import { bootstrap } from '../apiserver/bootstrap.ts';
import { loadOrCreatePki, loadOrCreateToken } from '../apiserver/certs.ts';
import { ApiServer } from '../apiserver/server.ts';
import { typeSystem } from '../apiserver/type-system-impl.ts';
import { openStore } from '../store/index.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { startCompactor } from '../apiserver/compactor.ts';
import { Client } from '../client/client.ts';
import { newRecorder } from '../controllers/events.ts';
import { startControllers } from '../controllers/index.ts';

export interface RunningServer {
  api: ApiServer;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

const log = (line: string) => process.stderr.write(line + '\n');

export async function startServer(cfg: ServerConfig, signal: AbortSignal): Promise<RunningServer> {
  const t0 = performance.now();
  await mkdir(cfg.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(cfg.datastore);
  const host = cfg.bindAddress;
  const [pki, token] = await Promise.all([
    loadOrCreatePki(cfg.dataDir, { dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${cfg.clusterDomain}`], ips: ['127.0.0.1', host === '0.0.0.0' ? '127.0.0.1' : host] }),
    loadOrCreateToken(cfg.dataDir, cfg.token),
  ]);
  const types = typeSystem();
  const api = new ApiServer({
    store,
    types,
    tls: { cert: pki.cert, key: pki.key },
    token,
    host,
    port: cfg.apiPort,
    serviceCidr: cfg.serviceCidr,
    nodePortRange: cfg.nodePortRange,
    log,
  });
  const stopping = new AbortController();
  const onAbort = () => stopping.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  await api.start(stopping.signal);
  await bootstrap(api, types, { advertiseAddress: host === '0.0.0.0' ? '127.0.0.1' : host, port: api.port });
  startCompactor({ store, signal: stopping.signal, log, intervalMs: cfg.compactionIntervalSeconds * 1000 });
  const kubeconfigPath = join(cfg.dataDir, 'kubeconfig.yaml');
  const server = `https://${host === '0.0.0.0' ? '127.0.0.1' : host}:${api.port}`;
  await writeFile(kubeconfigPath, kubeconfigYaml({ server, caCert: pki.caCert, token }), { mode: 0o600 });
  // Controllers are clients of the API like any other (the loopback client of kube-controller-manager).
  const client = new Client({ server, token, caCert: pki.caCert, userAgent: 'nanokube-controller-manager/v1.32.0' });
  startControllers({ client, log, recorder: (component) => newRecorder({ client, component, log }) }, stopping.signal);
  log(`apiserver: listening on ${server} took=${((performance.now() - t0) / 1000).toFixed(3)}s`);
  return {
    api,
    kubeconfigPath,
    async stop() {
      stopping.abort();
      client.close();
      signal.removeEventListener('abort', onAbort);
      await store.close();
    },
  };
}

/**
 * @module `nanokube server`: reads like a script, each component behind a
 * switch. Opens the store, builds the node network (isolated mode), loads
 * or creates the PKI and token, starts the API server, creates the built-in
 * objects, writes the kubeconfig, starts the controllers and one node agent
 * per node, and stops everything cleanly on SIGINT/SIGTERM: pods stopped,
 * sandboxes removed, the network torn down.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerConfig } from '../config.ts';
import { nthIp, parseCidr } from '../api/net.ts';
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
import { NodeAgent } from '../node/agent.ts';
import { kubeletRuntimeView } from '../node/kubelet/runtime-view.ts';
import { StreamServer } from '../node/streams/server.ts';
import { forwardApi, type ApiForwarder } from '../node/api-forward.ts';
import { realDaemons, realKernel } from '../node/kernel.ts';
import { openSpawner } from '../node/spawner.ts';
import { createIsolatedNetwork } from '../node/network/isolated.ts';
import { isolatedPlan, newRunId } from '../node/network/plan.ts';
import { networkStateFile, readNetworkState } from '../node/network/state.ts';
import { applyAddons, waitAddonsReady } from './addons.ts';
import { AddressSyncer } from '../proxy/addresses.ts';
import { nftablesAvailable, newSyncer } from '../proxy/index.ts';
import { Proxier } from '../proxy/proxier.ts';
import { serveProxyMetrics } from '../proxy/metrics.ts';

export interface RunningServer {
  api: ApiServer;
  kubeconfigPath: string;
  agents: NodeAgent[];
  stop(): Promise<void>;
}

const log = (line: string) => process.stderr.write(line + '\n');

/** Node i's name; node 0 carries the control-plane role. */
export const nodeName = (i: number) => `nanokube-node-${i}`;

export async function startServer(cfg: ServerConfig, signal: AbortSignal): Promise<RunningServer> {
  const t0 = performance.now();
  await mkdir(cfg.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(cfg.datastore);
  const host = cfg.bindAddress;
  const loopback = host === '0.0.0.0' ? '127.0.0.1' : host;
  const kernel = realKernel();
  const daemons = realDaemons();

  // (networking) isolated mode: every node is a namespace of this machine. The run id stays in the
  // data dir, so the next start after a crash finds what this run made and adopts or removes it.
  const isolated = cfg.network === 'isolated';
  const stateFile = networkStateFile(cfg.dataDir);
  const runId = isolated ? ((await readNetworkState(stateFile))?.runId ?? newRunId()) : '';
  const nodeNames = Array.from({ length: cfg.nodes }, (_, i) => nodeName(i));
  const netOpts = { runId, nodes: cfg.nodes, nodeNames, clusterCidr: cfg.clusterCidr, serviceCidr: cfg.serviceCidr, nodeNetwork: cfg.nodeNetwork };
  const hostIP = isolated ? isolatedPlan(netOpts).hostIP : undefined;
  const services = parseCidr(cfg.serviceCidr);

  const [pki, token, net] = await Promise.all([
    loadOrCreatePki(cfg.dataDir, {
      dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${cfg.clusterDomain}`],
      // Pods reach the API at the first service IP (Service `kubernetes`) and, behind it, at the host's node-network address.
      ips: [...new Set(['127.0.0.1', loopback, nthIp(services, 1), ...(hostIP ? [hostIP] : [])])],
    }),
    loadOrCreateToken(cfg.dataDir, cfg.token),
    isolated ? createIsolatedNetwork(kernel, { ...netOpts, stateFile, daemons }) : Promise.resolve(undefined),
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
  const agents: NodeAgent[] = [];
  const proxiers: Proxier[] = [];
  const clients: Client[] = [];
  // The agents' host commands and pause processes are spawned by a small helper process: a fork of
  // this (much bigger) process would stall the API server for 15-20 ms per command.
  const spawner = openSpawner();
  if (isolated) spawner.warm();
  let door: ApiForwarder | undefined;

  async function stopAll(): Promise<void> {
    await Promise.all(agents.map((a) => a.shutdown(cfg.shutdownGraceSeconds).catch((e: Error) => log(`agent: ${a.nodeName}: shutdown: ${e.message}`))));
    await Promise.all(proxiers.map((p) => p.close().catch((e: Error) => log(`proxy: close: ${e.message}`))));
    await door?.close();
    spawner.close();
    stopping.abort();
    for (const c of clients) c.close();
    signal.removeEventListener('abort', onAbort);
    if (net) await net.teardown().catch((e: Error) => log(`network: teardown: ${e.message}`));
    await store.close();
  }

  try {
    await api.start(stopping.signal);
    // (networking) the API's door on the node network, where pods and nodes find it.
    if (net) door = await forwardApi({ host: net.hostIP, port: api.port, target: { host: loopback, port: api.port } });
    await bootstrap(api, types, { advertiseAddress: net ? net.hostIP : loopback, port: door ? door.port : api.port });
    startCompactor({ store, signal: stopping.signal, log, intervalMs: cfg.compactionIntervalSeconds * 1000 });
    const kubeconfigPath = join(cfg.dataDir, 'kubeconfig.yaml');
    const server = `https://${loopback}:${api.port}`;
    await writeFile(kubeconfigPath, kubeconfigYaml({ server, caCert: pki.caCert, token }), { mode: 0o600 });
    const newClient = (userAgent: string) => {
      const c = new Client({ server, token, caCert: pki.caCert, userAgent });
      clients.push(c);
      return c;
    };
    // Controllers are clients of the API like any other (the loopback client of kube-controller-manager).
    const client = newClient('nanokube-controller-manager/v1.32.0');
    startControllers(
      { client, log, recorder: (component) => newRecorder({ client, component, log }), nodeMonitorGracePeriodMs: cfg.nodeMonitorGracePeriodSeconds * 1000, lbPool: cfg.lbPool },
      stopping.signal,
      cfg.disable.includes('servicelb') ? ['servicelb'] : [],
    );
    log(`apiserver: listening on ${server} took=${((performance.now() - t0) / 1000).toFixed(3)}s`);

    // (node) one agent per node, each a client of the API with its own data dir.
    if (net) {
      // (components) the add-ons, as ordinary pods, applied while the nodes start (the controllers
      // create their pods meanwhile); `nanokube is ready` waits for their endpoints.
      const addonsApplied = applyAddons(
        {
          client,
          vars: { CLUSTER_DNS: nthIp(services, 10), CLUSTER_DOMAIN: cfg.clusterDomain },
          // Pods reach the API through the host's door on the node network (the `kubernetes` Service's endpoint).
          api: { server: `https://${net.hostIP}:${door!.port}`, token, caCert: pki.caCert },
          log,
        },
        cfg.disable,
      );
      addonsApplied.catch(() => {}); // awaited below; this only keeps an early failure from being unhandled meanwhile
      for (const [i, node] of net.nodes.entries()) {
        const c = newClient(`kubelet/v1.32.0 (linux) ${node.nodeName}`);
        agents.push(
          new NodeAgent({
            client: c,
            recorder: newRecorder({ client: c, component: 'kubelet', host: node.nodeName, log }),
            node,
            kernel: spawner.kernel,
            daemons: spawner.daemons,
            dataDir: join(cfg.dataDir, 'agents', node.nodeName),
            controlPlane: i === 0,
            clusterDns: nthIp(services, 10),
            clusterDomain: cfg.clusterDomain,
            // logs, exec, attach, port-forward: the apiserver proxies them to this node's stream server.
            streams: async (kubelet, sig) => {
              const streams = new StreamServer({ runtime: kubeletRuntimeView(kubelet), token, log });
              await streams.start(sig);
              return streams.port;
            },
            log,
          }),
        );
      }
      // (networking) one service proxy per node (kube-proxy), in the node's namespace.
      let mode = cfg.proxyMode;
      if (mode === 'nftables' && !(await nftablesAvailable(kernel))) {
        log('proxy: nft not found on this machine; using --proxy-mode userspace');
        mode = 'userspace';
      }
      for (const node of net.nodes) {
        const prefix = node.execPrefix();
        proxiers.push(
          new Proxier({
            client: newClient(`kube-proxy/v1.32.0 (linux) ${node.nodeName}`),
            node: { nodeName: node.nodeName, nodePortAddresses: [node.nodeIP], clusterCidr: cfg.clusterCidr, serviceCidr: cfg.serviceCidr },
            syncer: newSyncer(mode, { kernel: spawner.kernel, execPrefix: prefix, log }),
            addresses: new AddressSyncer({ kernel: spawner.kernel, execPrefix: prefix, nodeAddresses: net.nodes.map((n) => n.nodeIP) }),
            log,
          }),
        );
      }
      await Promise.all([...agents.map((a) => a.start(stopping.signal)), ...proxiers.map((p) => p.start(stopping.signal))]);
      // kube-proxy's metrics address (127.0.0.1:10249 by default), every node's series labelled by node.
      const metrics = cfg.proxyMetricsPort < 0 ? undefined : await serveProxyMetrics({ host: '127.0.0.1', port: cfg.proxyMetricsPort, views: () => proxiers.map((p) => p.view()) });
      if (metrics) {
        stopping.signal.addEventListener('abort', () => metrics.close(), { once: true });
        log(`proxy: metrics on http://127.0.0.1:${(metrics.address() as { port: number }).port}/metrics`);
      } else if (cfg.proxyMetricsPort >= 0) log(`proxy: metrics port ${cfg.proxyMetricsPort} is taken; no proxy metrics (set --proxy-metrics-port)`);
      log(`network: isolated run=${runId} ${net.origin} host=${net.hostIP} nodes=${net.nodes.map((n) => `${n.nodeName}@${n.nodeIP}`).join(',')}`);
      const addons = await addonsApplied;
      const late = await waitAddonsReady(client, addons, { timeoutMs: cfg.addonReadyTimeoutSeconds * 1000, signal: stopping.signal });
      if (late.length > 0) log(`addons: not ready after ${cfg.addonReadyTimeoutSeconds}s: ${late.join(', ')} (see kubectl get pods -A)`);
    } else {
      log('server: --network host runs no node agent yet; the API serves without nodes (use --network isolated for pods)');
    }
    log(`server: ready took=${((performance.now() - t0) / 1000).toFixed(3)}s`);
    return { api, kubeconfigPath, agents, stop: stopAll };
  } catch (e) {
    await stopAll().catch(() => {});
    throw e;
  }
}

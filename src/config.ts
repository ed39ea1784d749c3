/**
 * @module The one typed configuration: flags, NANOKUBE_* environment and
 * defaults merge here, and every default lives in this file. Components get
 * only their own part.
 */
import { resolve } from 'node:path';

export interface ServerConfig {
  dataDir: string;
  apiPort: number;
  bindAddress: string;
  network: 'host' | 'isolated';
  nodes: number;
  /** Isolated mode: the network between the host and the nodes (the host is its first address). */
  nodeNetwork: string;
  proxyMode: 'nftables' | 'userspace';
  /** kube-proxy's --metrics-bind-address port on 127.0.0.1; 0 = any free port, -1 = none. */
  proxyMetricsPort: number;
  datastore: string;
  clusterCidr: string;
  serviceCidr: string;
  nodePortRange: [number, number];
  lbPool: string;
  clusterDomain: string;
  disable: string[];
  compactionIntervalSeconds: number;
  nodeMonitorGracePeriodSeconds: number;
  /** How long `nanokube is ready` waits for the add-ons' endpoints before it says ready anyway (and logs which are late). */
  addonReadyTimeoutSeconds: number;
  /** On SIGTERM/SIGINT, the longest a pod may take to stop (its own grace period, capped; kubelet's shutdownGracePeriod). */
  shutdownGraceSeconds: number;
  token?: string;
}

export interface FlagDef {
  name: string;
  help: string;
  env: string;
}

/** Flag help names a category and the default, like k3s's. */
export const serverFlags: FlagDef[] = [
  { name: 'data-dir', env: 'NANOKUBE_DATA_DIR', help: '(data) Folder for state, certificates and the kubeconfig (default: ./.data)' },
  { name: 'api-port', env: 'NANOKUBE_API_PORT', help: '(listener) HTTPS port of the API server (default: 6443)' },
  { name: 'bind-address', env: 'NANOKUBE_BIND_ADDRESS', help: '(listener) Address the API server listens on (default: 127.0.0.1)' },
  { name: 'network', env: 'NANOKUBE_NETWORK', help: '(networking) Node network mode, host or isolated (default: host)' },
  { name: 'nodes', env: 'NANOKUBE_NODES', help: '(networking) Number of nodes in isolated mode (default: 1)' },
  { name: 'node-network', env: 'NANOKUBE_NODE_NETWORK', help: '(networking) Isolated mode: IPv4 CIDR linking the host (first address) and the nodes (default: 172.30.0.0/24)' },
  { name: 'proxy-mode', env: 'NANOKUBE_PROXY_MODE', help: '(networking) Service proxy, nftables or userspace (default: nftables)' },
  { name: 'proxy-metrics-port', env: 'NANOKUBE_PROXY_METRICS_PORT', help: '(networking) Port on 127.0.0.1 for the service proxy\'s /metrics, 0 for any free port, -1 (written --proxy-metrics-port=-1) for none (default: 10249)' },
  { name: 'datastore', env: 'NANOKUBE_DATASTORE', help: '(data) sqlite or etcd://h1:2379,... (default: sqlite in the data dir)' },
  { name: 'cluster-cidr', env: 'NANOKUBE_CLUSTER_CIDR', help: '(networking) IPv4 CIDR for pod IPs (default: 10.244.0.0/16)' },
  { name: 'service-cidr', env: 'NANOKUBE_SERVICE_CIDR', help: '(networking) IPv4 CIDR for service IPs (default: 10.96.0.0/12)' },
  { name: 'service-node-port-range', env: 'NANOKUBE_NODE_PORT_RANGE', help: '(networking) Port range for NodePort services (default: 30000-32767)' },
  { name: 'lb-pool', env: 'NANOKUBE_LB_POOL', help: '(networking) Address range for LoadBalancer services (default: node addresses)' },
  { name: 'cluster-domain', env: 'NANOKUBE_CLUSTER_DOMAIN', help: '(networking) Cluster DNS domain (default: cluster.local)' },
  { name: 'disable', env: 'NANOKUBE_DISABLE', help: '(components) Add-ons not to deploy: dns,ingress,servicelb (default: none)' },
  { name: 'etcd-compaction-interval', env: 'NANOKUBE_COMPACTION_INTERVAL', help: '(data) How often old revisions are compacted, in seconds, as kube-apiserver\'s flag (default: 300)' },
  { name: 'node-monitor-grace-period', env: 'NANOKUBE_NODE_MONITOR_GRACE_PERIOD', help: '(components) Time a node may go without renewing its Lease before it is marked NotReady, in seconds (default: 40)' },
  { name: 'token', env: 'NANOKUBE_TOKEN', help: '(auth) Admin bearer token (default: generated once per data dir)' },
];

export class ConfigError extends Error {
  readonly code = 'CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(`--${flag}: "${v}" is not one of ${allowed.join(', ')}`);
  return v as T;
}

function int(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`--${flag}: "${v}" must be an integer from ${min} to ${max}`);
  return n;
}

/** Merges parsed flags over NANOKUBE_* environment over defaults. */
export function serverConfig(flags: Record<string, string>, env: Record<string, string | undefined> = {}): ServerConfig {
  const get = (name: string): string | undefined => {
    if (flags[name] !== undefined) return flags[name];
    const def = serverFlags.find((f) => f.name === name);
    return def ? env[def.env] : undefined;
  };
  const dataDir = resolve(get('data-dir') ?? '.data');
  const range = (get('service-node-port-range') ?? '30000-32767').split('-').map((p) => int('service-node-port-range', p, 1, 65535));
  if (range.length !== 2 || range[0] > range[1]) throw new ConfigError('--service-node-port-range: expected FROM-TO');
  const datastore = get('datastore') ?? 'sqlite';
  return {
    dataDir,
    apiPort: int('api-port', get('api-port') ?? '6443', 0, 65535),
    bindAddress: get('bind-address') ?? '127.0.0.1',
    network: oneOf('network', get('network') ?? 'host', ['host', 'isolated'] as const),
    nodes: int('nodes', get('nodes') ?? '1', 1, 64),
    nodeNetwork: get('node-network') ?? '172.30.0.0/24',
    proxyMode: oneOf('proxy-mode', get('proxy-mode') ?? 'nftables', ['nftables', 'userspace'] as const),
    proxyMetricsPort: int('proxy-metrics-port', get('proxy-metrics-port') ?? '10249', -1, 65535),
    // WAL with synchronous=NORMAL: an acknowledged write survives a crash or kill -9 of the
    // server (the WAL is in the OS before the commit returns); only a power loss can drop
    // the newest commits. `--datastore sqlite://DIR/state.db?synchronous=full` trades write
    // latency for power-loss safety (numbers in src/store/README.md).
    datastore: datastore === 'sqlite' ? `sqlite://${dataDir}/state.db?synchronous=normal` : datastore,
    clusterCidr: get('cluster-cidr') ?? '10.244.0.0/16',
    serviceCidr: get('service-cidr') ?? '10.96.0.0/12',
    nodePortRange: [range[0], range[1]],
    lbPool: get('lb-pool') ?? '',
    clusterDomain: get('cluster-domain') ?? 'cluster.local',
    disable: (get('disable') ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => oneOf('disable', s, ['dns', 'ingress', 'servicelb'] as const)),
    nodeMonitorGracePeriodSeconds: int('node-monitor-grace-period', (get('node-monitor-grace-period') ?? '40').replace(/s$/, ''), 1, 3600),
    compactionIntervalSeconds: int('etcd-compaction-interval', (get('etcd-compaction-interval') ?? '300').replace(/s$/, ''), 1, 86400),
    shutdownGraceSeconds: 10,
    addonReadyTimeoutSeconds: 60,
    token: get('token'),
  };
}

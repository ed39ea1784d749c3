/**
 * @module The DNS add-on's program (image `nanokube/dns`): reads the API
 * address and credentials from the environment, its ports from flags, and
 * runs the app until SIGTERM/SIGINT.
 *
 *   NANOKUBE_API_SERVER (https URL), NANOKUBE_API_TOKEN, NANOKUBE_API_CA (PEM text)
 *   --dns-port 53 --health-port 8080 --ready-port 8181 --metrics-port 9153
 *   --configmap kube-system/coredns --bind 0.0.0.0 --reuse-port
 */
import { parseArgs } from 'node:util';
import { findKind } from '../api/resources.ts';
import { Client } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { DnsApp, type DnsAppOptions } from './app.ts';

export interface MainConfig {
  server: string;
  token: string;
  ca: string;
  app: Omit<DnsAppOptions, 'services' | 'slices' | 'configMaps'>;
}

/** Flags and environment into one config, every default here; throws with a usage message on bad input. */
export function readConfig(argv: string[], env: Record<string, string | undefined>): MainConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      'dns-port': { type: 'string', default: '53' },
      'health-port': { type: 'string', default: '8080' },
      'ready-port': { type: 'string', default: '8181' },
      'metrics-port': { type: 'string', default: '9153' },
      configmap: { type: 'string', default: 'kube-system/coredns' },
      bind: { type: 'string', default: '0.0.0.0' },
      'reuse-port': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = (flag: string): number => {
    const v = String(values[flag as keyof typeof values]);
    const n = Number(v);
    if (!/^\d+$/.test(v) || n > 65535) throw new Error(`--${flag}: not a port: ${v}`);
    return n;
  };
  const [namespace, name, extra] = String(values.configmap).split('/');
  if (!namespace || !name || extra !== undefined) throw new Error(`--configmap: want NAMESPACE/NAME, got ${values.configmap}`);
  const server = env.NANOKUBE_API_SERVER ?? '';
  if (!/^https:\/\//.test(server)) throw new Error('NANOKUBE_API_SERVER: want an https:// URL');
  if (!env.NANOKUBE_API_TOKEN) throw new Error('NANOKUBE_API_TOKEN is not set');
  if (!env.NANOKUBE_API_CA?.includes('BEGIN CERTIFICATE')) throw new Error('NANOKUBE_API_CA: want the cluster CA in PEM');
  return {
    server,
    token: env.NANOKUBE_API_TOKEN,
    ca: env.NANOKUBE_API_CA,
    app: {
      configMap: { namespace, name },
      host: String(values.bind),
      dnsPort: port('dns-port'),
      healthPort: port('health-port'),
      readyPort: port('ready-port'),
      metricsPort: port('metrics-port'),
      reusePort: values['reuse-port'] === true,
    },
  };
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<void> {
  let cfg: MainConfig;
  try {
    cfg = readConfig(argv, env);
  } catch (e) {
    process.stderr.write(`nanokube-dns: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const client = new Client({ server: cfg.server, token: cfg.token, caCert: cfg.ca, userAgent: 'nanokube-dns' });
  const { namespace, name } = cfg.app.configMap;
  const app = new DnsApp({
    ...cfg.app,
    services: new Informer({ client, def: findKind('', 'Service')! }),
    slices: new Informer({ client, def: findKind('discovery.k8s.io', 'EndpointSlice')! }),
    configMaps: new Informer({ client, def: findKind('', 'ConfigMap')!, fieldSelector: `metadata.namespace=${namespace},metadata.name=${name}` }),
  });
  const stop = new AbortController();
  const shutdown = (sig: string) => {
    if (stop.signal.aborted) return;
    console.log(`dns: ${sig}, shutting down`);
    stop.abort();
    void app.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await app.start(stop.signal);
  } catch (e) {
    process.stderr.write(`nanokube-dns: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

if (import.meta.main) void main(process.argv.slice(2), process.env);

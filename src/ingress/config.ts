/**
 * @module The controller's configuration: ingress-nginx's flag names
 * (`--flag value` or `--flag=value`) and the NANOKUBE_API_* environment,
 * merged into one typed config with every default here. Flags of
 * ingress-nginx that nanokube does not implement are reported and
 * ignored, so that manifests written for ingress-nginx still start. Pure.
 */
import { availableParallelism } from 'node:os';
import { IngressError } from './types.ts';

export interface IngressConfig {
  apiServer: string;
  apiToken: string;
  apiCa: string;
  /** (network) Port of plain HTTP (default: 80). */
  httpPort: number;
  /** (network) Port of HTTPS and HTTP/2 (default: 443). */
  httpsPort: number;
  /** (network) Port of /healthz and /metrics (default: 10254). */
  healthzPort: number;
  /** (network) Listen address of the proxy ports (default: every address). */
  bindAddress?: string;
  /** (class) The IngressClass name and legacy annotation value (default: nginx). */
  ingressClass: string;
  /** (class) spec.controller of our IngressClasses (default: k8s.io/ingress-nginx). */
  controllerClass: string;
  /** (status) namespace/name of the Service whose addresses go to Ingress status (default: none = node addresses). */
  publishService: string;
  /** (scope) Namespace of the Ingresses served (default: all). */
  watchNamespace: string;
  /** (performance) Proxy worker processes (default: the number of cores). */
  workers: number;
  /** (logging) One access-log line per request on stdout (default: true). */
  accessLog: boolean;
  /** (lifecycle) Time given to requests in flight at SIGTERM, seconds (default: 10). */
  shutdownGraceSeconds: number;
  /** Flags accepted and ignored (ingress-nginx flags nanokube does not implement). */
  ignored: string[];
}

const NUMBER = new Set(['http-port', 'https-port', 'healthz-port', 'workers', 'shutdown-grace-period']);
const STRING = new Set(['ingress-class', 'controller-class', 'publish-service', 'watch-namespace', 'bind-address']);

function int(name: string, v: string, min: number, max: number): number {
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) throw new IngressError('BAD_FLAG', `invalid value "${v}" for flag --${name}: want an integer in ${min}..${max}`);
  return n;
}

/** Replaces `$(VAR)` the way the kubelet expands container args, for args that reach us unexpanded. */
function expand(v: string, env: Record<string, string | undefined>): string {
  return v.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, n: string) => env[n] ?? all);
}

export function parseConfig(argv: string[], env: Record<string, string | undefined>): IngressConfig {
  const cfg: IngressConfig = {
    apiServer: env.NANOKUBE_API_SERVER ?? '',
    apiToken: env.NANOKUBE_API_TOKEN ?? '',
    apiCa: env.NANOKUBE_API_CA ?? '',
    httpPort: 80,
    httpsPort: 443,
    healthzPort: 10254,
    ingressClass: 'nginx',
    controllerClass: 'k8s.io/ingress-nginx',
    publishService: '',
    watchNamespace: '',
    workers: availableParallelism(),
    accessLog: true,
    shutdownGraceSeconds: 10,
    ignored: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      // ingress-nginx's binary path as the first word of args.
      if (arg.endsWith('nginx-ingress-controller')) continue;
      throw new IngressError('BAD_FLAG', `unexpected argument "${arg}"`);
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const takesValue = NUMBER.has(name) || STRING.has(name);
    let value: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    if (value === undefined && takesValue) {
      if (i + 1 >= argv.length) throw new IngressError('BAD_FLAG', `flag needs an argument: --${name}`);
      value = argv[++i];
    }
    if (name === 'enable-access-log') {
      // A boolean flag, Go style: --enable-access-log or --enable-access-log=false.
      cfg.accessLog = value === undefined || value === 'true';
      continue;
    }
    if (!takesValue) {
      cfg.ignored.push(arg);
      continue;
    }
    const v = expand(value!, env);
    switch (name) {
      case 'http-port':
        cfg.httpPort = int(name, v, 0, 65535);
        break;
      case 'https-port':
        cfg.httpsPort = int(name, v, 0, 65535);
        break;
      case 'healthz-port':
        cfg.healthzPort = int(name, v, 0, 65535);
        break;
      case 'workers':
        cfg.workers = v === '0' || v === 'auto' ? availableParallelism() : int(name, v, 1, 256);
        break;
      case 'shutdown-grace-period':
        cfg.shutdownGraceSeconds = int(name, v.replace(/s$/, ''), 0, 3600);
        break;
      case 'ingress-class':
        cfg.ingressClass = v;
        break;
      case 'controller-class':
        cfg.controllerClass = v;
        break;
      case 'publish-service':
        if (v !== '' && !/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(v)) throw new IngressError('BAD_FLAG', `invalid value "${v}" for flag --publish-service: want namespace/name`);
        cfg.publishService = v;
        break;
      case 'watch-namespace':
        cfg.watchNamespace = v;
        break;
      case 'bind-address':
        cfg.bindAddress = v === '' ? undefined : v;
        break;
    }
  }
  return cfg;
}

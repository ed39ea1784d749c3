/**
 * @module The built-in images. Each is described as its Dockerfile describes
 * it (ENTRYPOINT, CMD, ENV) so Kubernetes' command/args rules apply
 * unchanged, plus `exec`: the image's own binaries (`/agnhost`, `nginx`,
 * `/http-echo`) become the TypeScript programs in ./builtin run by this
 * Node; every other command is the host's userland, which is what makes
 * `sh`, `curl`, `nslookup` and `dig` work inside a pod.
 */
import { basename, join } from 'node:path';
import type { ContainerPortLike, ImageContext, ImageDefinition } from './catalog.ts';
import { realNginx } from './nginx.ts';

const PROGRAMS = join(import.meta.dirname, 'builtin');
const SRC = join(import.meta.dirname, '..', '..');

/** argv that runs a built-in program with the agent's own Node (never the system's node). */
export function builtinProgram(name: string, args: string[]): string[] {
  return [process.execPath, join(PROGRAMS, `${name}.ts`), ...args];
}

const is = (argv: string[], ...names: string[]) => argv.length > 0 && names.includes(basename(argv[0]));

/** Drops a wrapper script that ends in `exec "$@"` (docker-entrypoint.sh and friends), also when run as `/bin/sh script`. */
function unwrap(argv: string[], ...scripts: string[]): string[] {
  if (argv[0] === '/bin/sh' && scripts.includes(argv[1] ?? '')) return argv.slice(2);
  if (scripts.includes(argv[0] ?? '')) return argv.slice(1);
  return argv;
}

function tcpPorts(ports: ContainerPortLike[], fallback: number): number[] {
  const tcp = ports.filter((p) => (p.protocol ?? 'TCP').toUpperCase() === 'TCP').map((p) => p.containerPort);
  return tcp.length > 0 ? [...new Set(tcp)] : [fallback];
}

function nginxServer(ctx: ImageContext) {
  const ports = tcpPorts(ctx.ports, 80);
  if (ctx.nginxPath && ctx.stateDir) {
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    return realNginx(ctx.nginxPath, { stateDir: ctx.stateDir, ports, bindAddress: ctx.bindAddress, asRoot });
  }
  return { argv: builtinProgram('nginx', ports.flatMap((p) => ['--listen', String(p)])) };
}

const AGNHOST: ImageDefinition = {
  name: 'agnhost',
  patterns: ['registry.k8s.io/e2e-test-images/agnhost', 'k8s.gcr.io/e2e-test-images/agnhost', 'gcr.io/kubernetes-e2e-test-images/agnhost', '*/e2e-test-images/agnhost'],
  // test/images/agnhost/Dockerfile
  entrypoint: ['/agnhost'],
  cmd: ['pause'],
  exec: (argv) => (is(argv, 'agnhost', 'agnhost-2') ? { argv: builtinProgram('agnhost', argv.slice(1)) } : { argv }),
};

const NGINX: ImageDefinition = {
  name: 'nginx',
  patterns: ['nginx', '*/library/nginx'],
  // The official image: ENTRYPOINT ["/docker-entrypoint.sh"] CMD ["nginx", "-g", "daemon off;"].
  entrypoint: ['/docker-entrypoint.sh'],
  cmd: ['nginx', '-g', 'daemon off;'],
  env: { NGINX_VERSION: '1.27.3' },
  exec: (argv, ctx) => {
    const rest = unwrap(argv, '/docker-entrypoint.sh', 'docker-entrypoint.sh');
    // Any `nginx ...` runs the default server: nginx's own flags (-g, -c) name paths of the image, which does not exist here.
    return is(rest, 'nginx', 'nginx-debug') ? nginxServer(ctx) : { argv: rest };
  },
};

const HTTP_ECHO: ImageDefinition = {
  name: 'http-echo',
  patterns: ['hashicorp/http-echo'],
  entrypoint: ['/http-echo'],
  cmd: [],
  exec: (argv) => (is(argv, 'http-echo') ? { argv: builtinProgram('http-echo', argv.slice(1)) } : { argv }),
};

const PAUSE: ImageDefinition = {
  name: 'pause',
  patterns: ['registry.k8s.io/pause', 'k8s.gcr.io/pause', 'gcr.io/google_containers/pause', '*/mirrored-pause', '*/pause-amd64'],
  entrypoint: ['/pause'],
  cmd: [],
  exec: (argv) => (is(argv, 'pause') ? { argv: builtinProgram('pause', argv.slice(1)) } : { argv }),
};

/** wbitt/network-multitool (and the older praqma/): a one-line page on HTTP_PORT (80), tools from the host. */
const MULTITOOL: ImageDefinition = {
  name: 'network-multitool',
  patterns: ['*network-multitool*'],
  entrypoint: ['/bin/sh', '/docker/entrypoint.sh'],
  cmd: ['/usr/sbin/nginx', '-g', 'daemon off;'],
  exec: (argv, ctx) => {
    const rest = unwrap(argv, '/docker/entrypoint.sh', '/docker-entrypoint.sh');
    if (!is(rest, 'nginx')) return { argv: rest };
    const flavour = ctx.ref.path.startsWith('praqma/') ? 'praqma' : 'wbitt';
    return { argv: builtinProgram('nginx', ['--multitool', flavour]) };
  },
};

/** curlimages/curl's entrypoint runs `curl "$@"` when the first argument is an option or not a command. */
const CURL: ImageDefinition = {
  name: 'curl',
  patterns: ['curlimages/curl'],
  entrypoint: ['/entrypoint.sh'],
  cmd: ['curl'],
  exec: (argv, ctx) => {
    const rest = unwrap(argv, '/entrypoint.sh');
    if (rest.length > 0 && (rest[0].startsWith('-') || !ctx.lookPath(rest[0]))) return { argv: ['curl', ...rest] };
    return { argv: rest };
  },
};

/**
 * The add-ons' own images (manifests/): nanokube's DNS server and Ingress controller, run like any
 * built-in program. The ingress image keeps ingress-nginx's binary name so its usual args read the same.
 */
const ADDON_DNS: ImageDefinition = {
  name: 'nanokube-dns',
  patterns: ['nanokube/dns'],
  entrypoint: ['/nanokube-dns'],
  cmd: [],
  exec: (argv) => (is(argv, 'nanokube-dns') ? { argv: [process.execPath, join(SRC, 'dns', 'main.ts'), ...argv.slice(1)] } : { argv }),
};

const ADDON_INGRESS: ImageDefinition = {
  name: 'nanokube-ingress',
  patterns: ['nanokube/ingress-nginx'],
  entrypoint: ['/nginx-ingress-controller'],
  cmd: [],
  exec: (argv) => (is(argv, 'nginx-ingress-controller') ? { argv: [process.execPath, join(SRC, 'ingress', 'main.ts'), ...argv.slice(1)] } : { argv }),
};

function shellImage(name: string, patterns: string[], cmd: string[], exec?: ImageDefinition['exec']): ImageDefinition {
  return { name, patterns, entrypoint: [], cmd, exec };
}

export const BUILTIN_IMAGES: ImageDefinition[] = [
  AGNHOST,
  NGINX,
  HTTP_ECHO,
  PAUSE,
  MULTITOOL,
  CURL,
  ADDON_DNS,
  ADDON_INGRESS,
  // `busybox sleep 3600` and `/bin/busybox wget` call an applet: run the host's tool of that name.
  shellImage('busybox', ['busybox', '*/busybox'], ['sh'], (argv) => ({ argv: is(argv, 'busybox') && argv.length > 1 ? argv.slice(1) : argv })),
  shellImage('alpine', ['alpine', '*/alpine'], ['/bin/sh']),
  shellImage('debian', ['debian', '*/debian'], ['bash']),
  shellImage('ubuntu', ['ubuntu', '*/ubuntu'], ['/bin/bash']),
  shellImage('dnsutils', ['*/jessie-dnsutils', '*/dnsutils'], ['bash']),
  // netshoot's CMD is zsh; hosts rarely have it, so bash stands in when zsh is missing.
  shellImage('netshoot', ['nicolaka/netshoot'], ['zsh'], (argv, ctx) => ({ argv: argv[0] === 'zsh' && !ctx.lookPath('zsh') ? ['bash', ...argv.slice(1)] : argv })),
];

/**
 * @module ClusterIP and NodePort allocation for Services, in the role of
 * upstream's service REST storage and its allocators. Each allocated IP or
 * port is a reservation key in the store, taken with an atomic create, so
 * two apiservers sharing one store can never hand out the same value (the
 * approach of upstream's IPAddress objects). A repair pass at start-up
 * reconciles reservations with Services after a crash.
 */
import * as errors from '../../api/errors.ts';
import { invalid as fieldInvalid, path, type FieldError } from '../../api/field-errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { cidrContains, nthIp, parseCidr, type Cidr } from '../../api/net.ts';
import { StoreError, type Store } from '../../store/types.ts';
import { goSliceValue } from '../../api/validation/goformat.ts';

export const IP_PREFIX = '/registry/ranges/serviceips/';
export const PORT_PREFIX = '/registry/ranges/servicenodeports/';

export interface AllocOptions {
  store: Store;
  serviceCidr: string;
  nodePortRange: [number, number];
}

const svcKey = (svc: KubeObject) => `${svc.metadata.namespace}/${svc.metadata.name}`;

function needsClusterIP(svc: KubeObject): boolean {
  return svc.spec?.type !== 'ExternalName' && svc.spec?.clusterIP !== 'None';
}

function needsNodePorts(svc: KubeObject): boolean {
  const t = svc.spec?.type;
  return t === 'NodePort' || (t === 'LoadBalancer' && svc.spec?.allocateLoadBalancerNodePorts !== false);
}

export class ServiceAllocator {
  readonly #store: Store;
  readonly #cidr: Cidr;
  readonly #range: [number, number];
  constructor(opts: AllocOptions) {
    this.#store = opts.store;
    this.#cidr = parseCidr(opts.serviceCidr);
    this.#range = opts.nodePortRange;
  }

  get cidr(): Cidr {
    return this.#cidr;
  }

  /** The `kubernetes` Service's IP (first) and the DNS IP (tenth) of the range. */
  wellKnownIp(n: 1 | 10): string {
    return nthIp(this.#cidr, n);
  }

  async #take(key: string, owner: string): Promise<boolean> {
    try {
      await this.#store.create(key, owner);
      return true;
    } catch (e) {
      if (e instanceof StoreError && e.code === 'KEY_EXISTS') {
        const cur = await this.#store.get(key);
        return cur?.value === owner;
      }
      throw e;
    }
  }

  async #release(key: string): Promise<void> {
    try {
      await this.#store.delete(key, 0);
    } catch (e) {
      if (!(e instanceof StoreError && e.code === 'NOT_FOUND')) throw e;
    }
  }

  async #allocateIp(owner: string, dryRun: boolean): Promise<string> {
    // Skip the network address, .1 (kubernetes) and .10 (cluster DNS) and the broadcast address.
    const lo = 2;
    const hi = this.#cidr.size - 2;
    const span = hi - lo + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const n = lo + ((start + i) % span);
      if (n === 10) continue;
      const ip = nthIp(this.#cidr, n);
      if (dryRun ? !(await this.#store.get(IP_PREFIX + ip)) : await this.#take(IP_PREFIX + ip, owner)) return ip;
    }
    throw errors.internalError('failed to allocate a serviceIP: range is full');
  }

  async #allocatePort(owner: string, dryRun: boolean, taken: Set<number>): Promise<number> {
    const [lo, hi] = this.#range;
    const span = hi - lo + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const p = lo + ((start + i) % span);
      if (taken.has(p)) continue;
      if (dryRun ? !(await this.#store.get(PORT_PREFIX + p)) : await this.#take(PORT_PREFIX + p, owner)) return p;
    }
    throw errors.internalError('failed to allocate a nodePort: range is full');
  }

  /**
   * Allocates what `svc` needs, honouring requested values, keeping values
   * of `old` (an update), and releasing what the new type no longer uses.
   * Mutates svc. Returns a rollback that releases what this call took.
   */
  async allocate(svc: KubeObject, old: KubeObject | undefined, dryRun: boolean): Promise<() => Promise<void>> {
    const owner = svcKey(svc);
    const taken: string[] = [];
    const errs: FieldError[] = [];
    const spec = svc.spec ?? (svc.spec = {});
    const rollback = async () => {
      for (const k of taken) await this.#release(k);
    };
    try {
      if (needsClusterIP(svc)) {
        if (!spec.clusterIP && old?.spec?.clusterIP && old.spec.clusterIP !== 'None') spec.clusterIP = old.spec.clusterIP;
        if (!spec.clusterIP) {
          spec.clusterIP = await this.#allocateIp(owner, dryRun);
          taken.push(IP_PREFIX + spec.clusterIP);
        } else if (spec.clusterIP !== old?.spec?.clusterIP) {
          const ip = spec.clusterIP;
          const p = path('spec', 'clusterIPs');
          if (!cidrContains(this.#cidr, ip)) {
            errs.push(fieldInvalid(p, goSliceValue([ip]), `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.#cidr.text}`));
          } else if (dryRun ? (await this.#store.get(IP_PREFIX + ip))?.value !== undefined : !(await this.#take(IP_PREFIX + ip, owner))) {
            errs.push(fieldInvalid(p, goSliceValue([ip]), `failed to allocate IP ${ip}: provided IP is already allocated`));
          } else if (!dryRun) taken.push(IP_PREFIX + ip);
        }
        spec.clusterIPs = [spec.clusterIP];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      } else if (spec.type === 'ExternalName') {
        delete spec.clusterIP;
        delete spec.clusterIPs;
      } else {
        spec.clusterIPs = ['None'];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
      const ports: any[] = spec.ports ?? [];
      if (needsNodePorts(svc)) {
        const inUse = new Set<number>(ports.map((p) => p.nodePort).filter(Boolean));
        const oldPorts: any[] = old && needsNodePorts(old) ? (old.spec?.ports ?? []) : [];
        const oldNodePorts = new Set(oldPorts.map((p) => p.nodePort).filter(Boolean));
        for (let i = 0; i < ports.length; i++) {
          const p = ports[i];
          if (!p.nodePort) {
            const prev = oldPorts.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
            if (prev?.nodePort) p.nodePort = prev.nodePort;
          }
          if (!p.nodePort) {
            p.nodePort = await this.#allocatePort(owner, dryRun, inUse);
            inUse.add(p.nodePort);
            taken.push(PORT_PREFIX + p.nodePort);
          } else if (!oldNodePorts.has(p.nodePort) && !ports.slice(0, i).some((q) => q.nodePort === p.nodePort)) {
            const fp = path('spec', 'ports').index(i).child('nodePort');
            const [lo, hi] = this.#range;
            if (p.nodePort < lo || p.nodePort > hi) {
              errs.push(fieldInvalid(fp, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`));
            } else if (dryRun ? (await this.#store.get(PORT_PREFIX + p.nodePort)) !== undefined : !(await this.#take(PORT_PREFIX + p.nodePort, owner))) {
              errs.push(fieldInvalid(fp, p.nodePort, 'provided port is already allocated'));
            } else if (!dryRun) taken.push(PORT_PREFIX + p.nodePort);
          }
        }
      }
      if (errs.length) throw errors.invalid({ group: '', kind: 'Service' }, svc.metadata.name ?? '', errs);
    } catch (e) {
      await rollback();
      throw e;
    }
    return rollback;
  }

  /** Releases what `old` held and `svc` (the new state, or undefined on delete) no longer uses. */
  async releaseUnused(old: KubeObject, svc: KubeObject | undefined): Promise<void> {
    const keep = new Set(svc ? this.#keysOf(svc) : []);
    for (const k of this.#keysOf(old)) if (!keep.has(k)) await this.#release(k);
  }

  #keysOf(svc: KubeObject): string[] {
    const keys: string[] = [];
    const ip = svc.spec?.clusterIP;
    if (ip && ip !== 'None' && needsClusterIP(svc)) keys.push(IP_PREFIX + ip);
    for (const p of svc.spec?.ports ?? []) if (p.nodePort) keys.push(PORT_PREFIX + p.nodePort);
    if (svc.spec?.healthCheckNodePort) keys.push(PORT_PREFIX + svc.spec.healthCheckNodePort);
    return keys;
  }

  /** Start-up repair: reservations follow the Services that exist. */
  async repair(services: KubeObject[]): Promise<void> {
    const want = new Map<string, string>();
    for (const s of services) for (const k of this.#keysOf(s)) want.set(k, svcKey(s));
    for (const prefix of [IP_PREFIX, PORT_PREFIX]) {
      const { items } = await this.#store.list(prefix);
      for (const kv of items) if (!want.has(kv.key)) await this.#release(kv.key);
    }
    for (const [k, owner] of want) await this.#take(k, owner);
  }
}

/**
 * @module The addresses a node answers for beyond its own: Services'
 * externalIPs and LoadBalancer ingress IPs (a `--lb-pool` address, as
 * MetalLB's layer-2 mode answers ARP for it). They go on the node's `lo` as
 * /32 with the label `lo:nk`, so the node's eth0 answers ARP for them
 * (arp_ignore 0), the userspace relays can bind them, and only nanokube's
 * own are ever removed. Isolated mode only: the addresses live in the node's
 * namespace, never on the host.
 */
import { isIPv4 } from 'node:net';
import { cidrContains, parseCidr } from '../api/net.ts';
import type { Kernel } from '../node/types.ts';
import type { ProxyState } from './types.ts';

export const ADDRESS_LABEL = 'lo:nk';

/**
 * Pure: the external addresses of a state that are not a node's own (this node's are local already,
 * another node's must stay that node's: service-lb hands out node addresses) and not in the service
 * CIDR (local already through its `local` route).
 */
export function externalAddresses(state: ProxyState, nodeAddresses: string[] = []): string[] {
  const own = new Set([...state.node.nodePortAddresses, ...nodeAddresses]);
  const services = parseCidr(state.node.serviceCidr);
  const out = new Set<string>();
  for (const s of state.services) {
    for (const ip of [...s.externalIPs, ...s.loadBalancerIPs]) {
      if (!own.has(ip) && isIPv4(ip) && !cidrContains(services, ip) && !ip.startsWith('127.')) out.add(ip);
    }
  }
  return [...out].sort();
}

/** Pure: the `ip` commands (after the node's exec prefix) that turn `current` into `desired`. */
export function addressCommands(current: string[], desired: string[]): string[][] {
  const want = new Set(desired);
  const have = new Set(current);
  return [
    ...current.filter((ip) => !want.has(ip)).map((ip) => ['ip', 'addr', 'del', `${ip}/32`, 'dev', 'lo']),
    ...desired.filter((ip) => !have.has(ip)).map((ip) => ['ip', 'addr', 'add', `${ip}/32`, 'dev', 'lo', 'label', ADDRESS_LABEL]),
  ];
}

export class AddressSyncer {
  readonly #kernel: Kernel;
  readonly #prefix: string[];
  readonly #nodeAddresses: string[];
  #current: string[] | undefined;

  /** nodeAddresses: every node's own addresses (never taken over by another node). */
  constructor(o: { kernel: Kernel; execPrefix: string[]; nodeAddresses: string[] }) {
    this.#kernel = o.kernel;
    this.#prefix = o.execPrefix;
    this.#nodeAddresses = o.nodeAddresses;
  }

  async #read(): Promise<string[]> {
    const r = await this.#kernel.run([...this.#prefix, 'ip', '-j', '-4', 'addr', 'show', 'dev', 'lo']);
    const links = JSON.parse(r.stdout || '[]') as { addr_info?: { local: string; label?: string }[] }[];
    return links.flatMap((l) => l.addr_info ?? []).filter((a) => a.label === ADDRESS_LABEL).map((a) => a.local).sort();
  }

  async sync(state: ProxyState): Promise<void> {
    const desired = externalAddresses(state, this.#nodeAddresses);
    try {
      this.#current ??= await this.#read();
      for (const cmd of addressCommands(this.#current, desired)) await this.#kernel.run([...this.#prefix, ...cmd], { allowFail: cmd[2] === 'del' });
      this.#current = desired;
    } catch (e) {
      this.#current = undefined; // read again next time
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.sync({ node: { nodeName: '', nodePortAddresses: [], clusterCidr: '0.0.0.0/32', serviceCidr: '0.0.0.0/32' }, services: [] }).catch(() => {});
  }
}

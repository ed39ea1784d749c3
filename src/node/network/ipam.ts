/**
 * @module Pod IP allocation from the node's pod CIDR, persisted in a JSON
 * file in the agent's data dir and keyed by pod uid, so a pod keeps its IP
 * across agent restarts. Like the CNI host-local plugin it hands out
 * addresses round-robin after the last one given, so an address just freed
 * is not reused at once (stale ARP and conntrack entries of the old pod).
 * The network address, the gateway (.1) and the broadcast address are never
 * given out.
 */
import { cidrContains, intToIp, ipToInt, parseCidr, type Cidr } from '../../api/net.ts';
import { NetworkError } from './errors.ts';
import { readJson, writeJsonAtomic } from './state.ts';

interface IpamFile {
  cidr: string;
  /** The last address handed out (the round-robin cursor). */
  last?: string;
  /** pod uid → IP. */
  allocations: Record<string, string>;
}

export interface IpamOptions {
  /** The JSON file (e.g. DATA_DIR/ipam.json). */
  file: string;
  /** The node's pod CIDR, e.g. 10.244.0.0/24. */
  cidr: string;
}

export class Ipam {
  #file: string;
  #cidr: Cidr;
  #state: IpamFile;
  #saving: Promise<void> = Promise.resolve();

  private constructor(file: string, cidr: Cidr, state: IpamFile) {
    this.#file = file;
    this.#cidr = cidr;
    this.#state = state;
  }

  /** Loads the allocations (or starts empty). Allocations outside a changed CIDR are kept but never collide. */
  static async open(opts: IpamOptions): Promise<Ipam> {
    let cidr: Cidr;
    try {
      cidr = parseCidr(opts.cidr);
    } catch (e) {
      throw new NetworkError('INVALID', (e as Error).message);
    }
    if (cidr.size < 4) throw new NetworkError('INVALID', `pod CIDR ${opts.cidr} is too small for a gateway and a pod`);
    const saved = await readJson<IpamFile>(opts.file);
    if (saved && (typeof saved.allocations !== 'object' || saved.allocations === null)) {
      throw new NetworkError('STATE_CORRUPT', `${opts.file}: no allocations object`);
    }
    const state: IpamFile = { cidr: cidr.text, allocations: { ...(saved?.allocations ?? {}) } };
    if (saved?.last && cidrContains(cidr, saved.last)) state.last = saved.last;
    return new Ipam(opts.file, cidr, state);
  }

  get cidr(): string {
    return this.#cidr.text;
  }

  get(uid: string): string | undefined {
    return this.#state.allocations[uid];
  }

  list(): { uid: string; ip: string }[] {
    return Object.entries(this.#state.allocations).map(([uid, ip]) => ({ uid, ip }));
  }

  /** The pod's IP: the one it has, or the next free one (persisted before it is returned). */
  async allocate(uid: string): Promise<string> {
    const have = this.#state.allocations[uid];
    if (have) return have;
    const used = new Set(Object.values(this.#state.allocations));
    const first = this.#cidr.base + 2;
    const last = this.#cidr.base + this.#cidr.size - 2;
    const count = last - first + 1;
    const cursor = this.#state.last ? ipToInt(this.#state.last) + 1 : first;
    for (let i = 0; i < count; i++) {
      const ip = intToIp(first + ((cursor - first + i + count) % count));
      if (used.has(ip)) continue;
      // Taken synchronously, before any await, so concurrent allocations never share an address.
      this.#state.allocations[uid] = ip;
      this.#state.last = ip;
      await this.#save();
      return ip;
    }
    throw new NetworkError('IPAM_EXHAUSTED', `no free address in pod CIDR ${this.#cidr.text} (${count} in use)`);
  }

  async release(uid: string): Promise<void> {
    if (!(uid in this.#state.allocations)) return;
    delete this.#state.allocations[uid];
    await this.#save();
  }

  /** Writes are chained so that the file always ends with the newest state. */
  #save(): Promise<void> {
    const next = this.#saving.then(() => writeJsonAtomic(this.#file, this.#state));
    this.#saving = next.catch(() => {});
    return next;
  }
}

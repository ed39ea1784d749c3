/**
 * @module Pod sandboxes (what Kubernetes calls the pause container): per pod
 * a network namespace `nk-<8 hex of uid>`, a veth whose pod end is `eth0`
 * and whose node end is a port of the node bridge, an IP from the node's pod
 * CIDR (IPAM), a default route via the bridge gateway, /etc/resolv.conf and
 * /etc/hosts in /etc/netns/<netns>/, and a pause process that holds the
 * pod's network, UTS (hostname) and mount namespaces. Containers enter them
 * with `nsenter --target <pausePid>`. Sandboxes are recorded in the agent's
 * data dir, so a restarted agent adopts running pods with their IPs.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCidr } from '../../api/net.ts';
import type { Daemons } from '../kernel.ts';
import type { Kernel, NodeNetwork, Sandbox, SandboxManager, SandboxSpec } from '../types.ts';
import { hostsFile, resolvConf } from './dns-files.ts';
import { NetworkError } from './errors.ts';
import { Ipam } from './ipam.ts';
import { ipIn, networkDefaults, pauseTag } from './plan.ts';
import { readJson, writeJsonAtomic } from './state.ts';

export interface SandboxManagerOptions {
  kernel: Kernel;
  daemons: Daemons;
  node: NodeNetwork;
  /** The agent's data dir: ipam.json, sandboxes.json and pods/<uid>/. */
  dataDir: string;
  /** Where `ip netns exec` looks for per-namespace /etc files; only tests change it. */
  etcNetnsDir?: string;
  /** Where named network namespaces live, to avoid a name another node's pod holds; only tests change it. */
  netnsDir?: string;
  /** MTU of the pod veths; the node bridge is created with the same one. */
  mtu?: number;
  bridge?: string;
}

export interface NodeSandboxManager extends SandboxManager {
  /** Removes every sandbox this manager knows (agent shutdown, test teardown). */
  removeAll(): Promise<void>;
}

interface SandboxRecord {
  uid: string;
  id: string;
  namespace: string;
  name: string;
  hostNetwork: boolean;
  /** The pod's namespace and the node end of its veth ('' for hostNetwork pods). */
  netns: string;
  veth: string;
  podIP: string;
  pausePid: number;
}

interface SandboxFile {
  sandboxes: Record<string, SandboxRecord>;
}

/**
 * The pause process: sets the pod's hostname in its own UTS namespace, then only sleeps. `exec -a`
 * keeps the tag ($0) as the sleep's argv[0], so a crashed run's pause processes can be found by
 * the node namespace in their tag (adoptOrClean) and told apart from every other sleep.
 */
export const PAUSE_SCRIPT = 'printf %s "$1" > /proc/sys/kernel/hostname && exec -a "$0" sleep infinity';

/**
 * `ip netns exec` enters the pod's netns and a new mount namespace with /etc/netns/NAME/* bind-
 * mounted over /etc; unshare adds the UTS namespace. There is no --fork: every link of the chain
 * (ip, unshare, bash, sleep) execs the next in place, so the PID we spawn is the very process that
 * holds the namespaces, with no wrapper between.
 */
export function pauseArgv(nodeNetns: string, netns: string, hostname: string): string[] {
  return ['ip', 'netns', 'exec', netns, 'unshare', '--uts', 'bash', '-c', PAUSE_SCRIPT, pauseTag(nodeNetns, netns), hostname];
}

/** The first 8 hex digits of the uid (easy to match with kubectl's uid), a hash of it when taken or not hex. */
export function sandboxId(uid: string, taken: Set<string> = new Set()): string {
  const hex = uid.replace(/-/g, '').toLowerCase();
  const id = /^[0-9a-f]{8}/.test(hex) ? hex.slice(0, 8) : '';
  return id && !taken.has(id) ? id : createHash('sha256').update(uid).digest('hex').slice(0, 8);
}

export async function openSandboxManager(o: SandboxManagerOptions): Promise<NodeSandboxManager> {
  const { kernel, daemons, node } = o;
  const etcNetns = o.etcNetnsDir ?? '/etc/netns';
  const netnsDir = o.netnsDir ?? '/run/netns';
  const mtu = o.mtu ?? networkDefaults.mtu;
  const bridge = o.bridge ?? networkDefaults.bridge;
  const bits = parseCidr(node.podCidr).bits;
  const ipam = await Ipam.open({ file: join(o.dataDir, 'ipam.json'), cidr: node.podCidr });
  const stateFile = join(o.dataDir, 'sandboxes.json');
  const records = new Map(Object.entries((await readJson<SandboxFile>(stateFile))?.sandboxes ?? {}));
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    const next = saving.then(() => writeJsonAtomic(stateFile, { sandboxes: Object.fromEntries(records) }));
    saving = next.catch(() => {});
    return next;
  };
  // One operation at a time per pod; different pods proceed in parallel.
  const locks = new Map<string, Promise<unknown>>();
  const withLock = <T>(uid: string, fn: () => Promise<T>): Promise<T> => {
    const run = (locks.get(uid) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => {});
    locks.set(uid, tail);
    void tail.then(() => locks.get(uid) === tail && locks.delete(uid));
    return run;
  };
  // The first `ip netns add` on a machine makes /run/netns a shared mount; two of them at once
  // can stack two such mounts and hide each other's namespaces. So the first one runs alone.
  let firstNetns: Promise<unknown> | undefined;
  const netnsAdd = async (name: string): Promise<void> => {
    if (!firstNetns) {
      firstNetns = kernel.run(['ip', 'netns', 'add', name]);
      await firstNetns;
      return;
    }
    await firstNetns.catch(() => {});
    await kernel.run(['ip', 'netns', 'add', name]);
  };
  const podDir = (uid: string) => join(o.dataDir, 'pods', uid);
  const batch = (netns: string, lines: string[]) => kernel.run(ipIn(netns, '-batch', '-'), { input: lines.join('\n') + '\n' });

  function toSandbox(r: SandboxRecord): Sandbox {
    return {
      id: r.id,
      podIP: r.podIP,
      pausePid: r.pausePid,
      dir: podDir(r.uid),
      enterPrefix: r.hostNetwork
        ? () => node.execPrefix()
        : () => ['nsenter', '--target', String(r.pausePid), '--net', '--uts', '--mount', '--'],
    };
  }

  async function writeEtc(netns: string, spec: SandboxSpec, podIP: string): Promise<void> {
    const dir = join(etcNetns, netns);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'hosts'), hostsFile({ podIPs: [podIP], hostname: spec.hostname, hostAliases: spec.hostAliases }), { mode: 0o644 });
    // Without a DNS config the file is left out and `ip netns exec` shows the node's own.
    if (spec.dns) await writeFile(join(dir, 'resolv.conf'), resolvConf(spec.dns), { mode: 0o644 });
  }

  /** Undoes a sandbox in reverse order; every step tolerates what is already gone. */
  async function teardown(r: SandboxRecord): Promise<void> {
    // By PID only, and only after checking the PID still holds the pod's netns: after a restart
    // the pause process may be long gone and its PID reused by an unrelated process.
    if (r.pausePid && (await daemons.holds(r.pausePid, r.netns))) await daemons.kill(r.pausePid);
    if (r.hostNetwork) return;
    // The node end explicitly: the kernel destroys a netns (and its veths) asynchronously, and a
    // sandbox recreated at once for the same pod needs the name.
    await kernel.run(ipIn(node.netns, 'link', 'del', r.veth), { allowFail: true });
    await kernel.run(['ip', 'netns', 'del', r.netns], { allowFail: true });
    await rm(join(etcNetns, r.netns), { recursive: true, force: true });
  }

  async function create(spec: SandboxSpec): Promise<Sandbox> {
    await mkdir(podDir(spec.uid), { recursive: true });
    if (spec.hostNetwork) {
      const r: SandboxRecord = { uid: spec.uid, id: sandboxId(spec.uid), namespace: spec.namespace, name: spec.name, hostNetwork: true, netns: '', veth: '', podIP: node.nodeIP, pausePid: 0 };
      records.set(spec.uid, r);
      await save();
      return toSandbox(r);
    }
    // Pod netns names are global to the machine: the other nodes' managers (isolated mode) share them.
    const taken = new Set([...records.values()].filter((r) => r.uid !== spec.uid && !r.hostNetwork).map((r) => r.id));
    const first = sandboxId(spec.uid);
    if (existsSync(join(netnsDir, `nk-${first}`)) && !records.has(spec.uid)) taken.add(first);
    const id = sandboxId(spec.uid, taken);
    const podIP = await ipam.allocate(spec.uid);
    const r: SandboxRecord = { uid: spec.uid, id, namespace: spec.namespace, name: spec.name, hostNetwork: false, netns: `nk-${id}`, veth: `nkv${id}`, podIP, pausePid: 0 };
    // Recorded before anything exists, so that a crash half-way leaves a record to clean up.
    records.set(spec.uid, r);
    await save();
    try {
      await netnsAdd(r.netns);
    } catch (e) {
      // Nothing of ours exists yet, and a netns of that name (if any) is not ours to delete.
      records.delete(spec.uid);
      await ipam.release(spec.uid);
      await save();
      throw e;
    }
    try {
      // Before the pause process: `ip netns exec` bind-mounts these files when it starts.
      await writeEtc(r.netns, spec, podIP);
      // The pause process needs only the netns and the files, so it starts while the links are
      // made: the two halves overlap (about a third less latency per pod); both settle before
      // any error is thrown so that the cleanup sees the pause PID.
      const pause = daemons.start(pauseArgv(node.netns, r.netns, spec.hostname), { readyComm: 'sleep' }).then(
        (pid) => void (r.pausePid = pid),
        (e: Error) => {
          throw new NetworkError('PAUSE_FAILED', `pod ${spec.namespace}/${spec.name}: pause process: ${e.message}`, { cause: e });
        },
      );
      const links = (async () => {
        // Created from the node's side with the pod end placed straight into the pod's netns
        // under its final name: no `eth0` ever appears in the node (or host) namespace.
        await batch(node.netns, [
          `link add ${r.veth} mtu ${mtu} type veth peer name eth0 mtu ${mtu} netns ${r.netns}`,
          `link set ${r.veth} master ${bridge}`,
          // Hairpin lets a pod reach itself through a Service (the packet leaves and re-enters
          // by the same bridge port), as the CNI bridge plugin's hairpinMode does.
          `link set ${r.veth} type bridge_slave hairpin on`,
          `link set ${r.veth} up`,
        ]);
        await batch(r.netns, ['link set lo up', `addr add ${podIP}/${bits} dev eth0`, 'link set eth0 up', `route add default via ${node.gateway} dev eth0`]);
      })();
      const failed = (await Promise.allSettled([links, pause])).find((x) => x.status === 'rejected');
      if (failed) throw failed.reason;
      await save();
      return toSandbox(r);
    } catch (e) {
      await teardown(r).catch(() => {});
      records.delete(spec.uid);
      await ipam.release(spec.uid);
      await save();
      throw e;
    }
  }

  async function removeLocked(uid: string): Promise<void> {
    const r = records.get(uid);
    if (r) await teardown(r);
    await ipam.release(uid);
    if (r) {
      records.delete(uid);
      await save();
    }
    // Only the folder itself: what the runtime put in it (logs, volumes) is the runtime's to remove.
    await rmdir(podDir(uid)).catch(() => {});
  }

  const manager: NodeSandboxManager = {
    ensure: (spec) =>
      withLock(spec.uid, async () => {
        const r = records.get(spec.uid);
        if (r && r.hostNetwork === spec.hostNetwork) {
          // A running sandbox (e.g. after an agent restart) is adopted as it is.
          if (r.hostNetwork || (r.pausePid && (await daemons.holds(r.pausePid, r.netns)))) return toSandbox(r);
        }
        if (r) {
          // Lost its pause process (or changed hostNetwork): rebuilt, keeping the pod's IP.
          await teardown(r);
          records.delete(spec.uid);
          if (spec.hostNetwork) await ipam.release(spec.uid);
        }
        return create(spec);
      }),
    remove: (uid) => withLock(uid, () => removeLocked(uid)),
    list: async () => [...records.values()].map((r) => ({ uid: r.uid, podIP: r.podIP })),
    removeAll: async () => {
      await Promise.all([...records.keys()].map((uid) => manager.remove(uid)));
    },
  };
  return manager;
}

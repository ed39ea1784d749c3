/**
 * @module Isolated node networks: every node is a network namespace that
 * nanokube creates (`nk-R-nI`), wired to a cluster switch (a bridge in its
 * own namespace `nk-R-net`) and, through one veth, to the host so that pods
 * reach an API server listening on the host end (172.30.0.1). No namespace
 * has a default route; nothing touches the host's own interfaces, routes,
 * sysctls or firewall.
 *
 *   host ── nk-R-h 172.30.0.1 ══ host ─┐
 *                                      br0 (in nk-R-net)
 *   nk-R-n0: eth0 172.30.0.10 ══ n0 ───┤     nkbr0 10.244.0.1/24 ── pods
 *   nk-R-n1: eth0 172.30.0.11 ══ n1 ───┘     nkbr0 10.244.1.1/24 ── pods
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Daemons } from '../kernel.ts';
import type { Kernel, NodeNetwork } from '../types.ts';
import { NetworkError } from './errors.ts';
import { execIn, ipIn, isolatedPlan, makeNodeNetwork, masqueradeRuleset, nodeBridgeBatch, PAUSE_TAG, type IsolatedPlan, type IsolatedPlanOptions, type NodePlan } from './plan.ts';
import { removeNetworkState, writeNetworkState } from './state.ts';

export interface IsolatedNetwork {
  plan: IsolatedPlan;
  /** The host's address on the node network (where pods reach the API server). */
  hostIP: string;
  nodes: NodeNetwork[];
  /** 'adopted' when an intact network of the same run was found and kept (pods keep running). */
  origin: 'created' | 'adopted';
  /** Removes every namespace and link of the run (and the state file). */
  teardown(): Promise<void>;
}

export interface IsolatedNetworkOptions extends IsolatedPlanOptions {
  /** Written with the node → namespace map for `nanokube node exec`; removed on teardown. */
  stateFile?: string;
  /** With daemons, teardown also ends the run's pod sandboxes the agents did not remove. */
  daemons?: Daemons;
  etcNetnsDir?: string;
}

export interface CleanOptions {
  /** With a plan, an intact network is adopted instead of removed. */
  plan?: IsolatedPlan;
  /** With daemons, the run's pod sandboxes are found by their pause processes and removed too. */
  daemons?: Daemons;
  /** Where the pods' /etc files are (default /etc/netns). */
  etcNetnsDir?: string;
}

/** Name of nanokube's nft table in each node namespace (the proxy uses its own tables). */
export const NODE_NAT_TABLE = 'nanokube-node';

async function batch(kernel: Kernel, netns: string, lines: string[]): Promise<void> {
  // One exec for many changes; `ip -batch` stops at the first failing line and exits non-zero.
  await kernel.run(ipIn(netns, '-batch', '-'), { input: lines.join('\n') + '\n' });
}

async function setupNode(kernel: Kernel, plan: IsolatedPlan, n: NodePlan): Promise<void> {
  // ip_forward of this namespace only: each network namespace has its own copy of the sysctl.
  await kernel.run(execIn(n.netns, 'tee', '/proc/sys/net/ipv4/ip_forward'), { input: '1\n' });
  // Bridged pod-to-pod frames must pass the IP hooks, or a Service reply from a pod on the same
  // bridge skips conntrack and is never un-DNATed (kube-proxy's br_netfilter prerequisite). It is
  // per namespace and 1 by default where br_netfilter is present; where it is an unloaded module
  // the file is missing, and loading it would change the host, so that is left to the operator.
  await kernel.run(execIn(n.netns, 'tee', '/proc/sys/net/bridge/bridge-nf-call-iptables'), { input: '1\n', allowFail: true });
  await batch(kernel, n.netns, [
    'link set lo up',
    `addr add ${n.nodeIP}/${plan.nodeNetworkBits} dev eth0`,
    'link set eth0 up',
    ...nodeBridgeBatch({
      bridge: plan.bridge,
      mtu: plan.mtu,
      podCidr: n.podCidr,
      gateway: n.gateway,
      serviceCidr: plan.serviceCidr,
      peers: plan.nodes.filter((p) => p !== n).map((p) => ({ podCidr: p.podCidr, nodeIP: p.nodeIP })),
    }),
  ]);
  // The host is not a node and has no route to any pod CIDR (we add none): its replies to a pod
  // address would follow its default route out of the machine. Pod traffic to the host address is
  // therefore masqueraded to the node IP, which the host reaches over its link.
  await kernel.run(execIn(n.netns, 'nft', '-f', '-'), { input: masqueradeRuleset({ table: NODE_NAT_TABLE, podCidr: n.podCidr, to: plan.hostIP }) });
}

async function create(kernel: Kernel, plan: IsolatedPlan): Promise<void> {
  await kernel.run(['ip', 'netns', 'add', plan.switchNetns]);
  for (const n of plan.nodes) await kernel.run(['ip', 'netns', 'add', n.netns]);
  // Each veth is created with its peer directly in the target namespace, so no interface (least
  // of all one named eth0) ever exists in the host namespace, even for a moment.
  await kernel.run(['ip', 'link', 'add', plan.hostLink, 'mtu', String(plan.mtu), 'type', 'veth', 'peer', 'name', plan.hostPeer, 'netns', plan.switchNetns]);
  await batch(kernel, '', [`addr add ${plan.hostIP}/${plan.nodeNetworkBits} dev ${plan.hostLink}`, `link set ${plan.hostLink} up`]);
  await batch(kernel, plan.switchNetns, [
    'link set lo up',
    `link add ${plan.switchBridge} mtu ${plan.mtu} type bridge`,
    `link set ${plan.switchBridge} up`,
    `link set ${plan.hostPeer} master ${plan.switchBridge}`,
    `link set ${plan.hostPeer} up`,
    ...plan.nodes.flatMap((n) => [
      `link add ${n.switchPort} mtu ${plan.mtu} type veth peer name eth0 netns ${n.netns}`,
      `link set ${n.switchPort} master ${plan.switchBridge}`,
      `link set ${n.switchPort} up`,
    ]),
  ]);
  for (const n of plan.nodes) await setupNode(kernel, plan, n);
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return text.trim() ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

type AddrInfo = { ifname: string; addr_info?: { local: string }[] }[];

function hasAddr(json: string, ifname: string, ip: string): boolean {
  return parseJson<AddrInfo>(json, []).some((l) => l.ifname === ifname && (l.addr_info ?? []).some((a) => a.local === ip));
}

/** True when everything the plan describes exists with its addresses (a restart may keep it). */
async function intact(kernel: Kernel, plan: IsolatedPlan, netns: Set<string>): Promise<boolean> {
  if (!netns.has(plan.switchNetns) || plan.nodes.some((n) => !netns.has(n.netns))) return false;
  const host = await kernel.run(['ip', '-j', '-4', 'addr', 'show', 'dev', plan.hostLink], { allowFail: true });
  if (host.code !== 0 || !hasAddr(host.stdout, plan.hostLink, plan.hostIP)) return false;
  for (const n of plan.nodes) {
    const r = await kernel.run(ipIn(n.netns, '-j', '-4', 'addr', 'show'), { allowFail: true });
    if (r.code !== 0 || !hasAddr(r.stdout, 'eth0', n.nodeIP) || !hasAddr(r.stdout, plan.bridge, n.gateway)) return false;
  }
  return true;
}

/**
 * Pod sandboxes of the run's nodes, found by the tag of their pause process (pod namespaces,
 * `nk-<8 hex>`, carry no run id): each is killed by PID once it is seen to hold the pod's netns.
 */
async function cleanPods(kernel: Kernel, prefix: string, o: CleanOptions): Promise<number> {
  if (!o.daemons) return 0;
  const pods = await o.daemons.list(`${PAUSE_TAG}:${prefix}`);
  for (const { pid, tag } of pods) {
    const podNetns = tag.split(':')[2] ?? '';
    if (!/^nk-[0-9a-f]{8}$/.test(podNetns)) continue;
    if (await o.daemons.holds(pid, podNetns)) await o.daemons.kill(pid);
    await kernel.run(['ip', 'netns', 'del', podNetns], { allowFail: true });
    await rm(join(o.etcNetnsDir ?? '/etc/netns', podNetns), { recursive: true, force: true });
  }
  return pods.length;
}

/**
 * Finds what a run left behind (after a crash or kill -9) by its name prefix `nk-R-`. With a plan
 * and an intact network it adopts it ('adopted', nothing changed); otherwise it removes every
 * namespace and host link of the run, and with daemons its pods too ('cleaned'), or finds nothing
 * ('absent').
 */
export async function adoptOrClean(kernel: Kernel, runId: string, o: CleanOptions = {}): Promise<'adopted' | 'cleaned' | 'absent'> {
  if (!/^[a-z0-9]{1,8}$/.test(runId)) throw new NetworkError('INVALID', `run id "${runId}" must be 1 to 8 of [a-z0-9]`);
  const prefix = `nk-${runId}-`;
  const ns = parseJson<{ name: string }[]>((await kernel.run(['ip', '-j', 'netns', 'list'])).stdout, []).map((n) => n.name);
  const links = parseJson<{ ifname: string }[]>((await kernel.run(['ip', '-j', 'link', 'show'])).stdout, []).map((l) => l.ifname);
  const mine = ns.filter((n) => n.startsWith(prefix));
  const myLinks = links.filter((l) => l.startsWith(prefix));
  if (o.plan && (await intact(kernel, o.plan, new Set(mine)))) return 'adopted';
  const pods = await cleanPods(kernel, prefix, o);
  if (mine.length === 0 && myLinks.length === 0 && pods === 0) return 'absent';
  // The host link first: deleting the switch namespace would destroy its peer too, but namespace
  // teardown runs asynchronously in the kernel, and the name must be free when this returns.
  for (const l of myLinks) await kernel.run(['ip', 'link', 'del', l], { allowFail: true });
  for (const n of mine.sort()) await kernel.run(['ip', 'netns', 'del', n], { allowFail: true });
  return 'cleaned';
}

/**
 * Creates (or adopts) the isolated network of run `runId` with `nodes` nodes. Whatever a
 * failed setup had made is removed before the error is thrown.
 */
export async function createIsolatedNetwork(kernel: Kernel, opts: IsolatedNetworkOptions): Promise<IsolatedNetwork> {
  const plan = isolatedPlan(opts);
  const clean = { daemons: opts.daemons, etcNetnsDir: opts.etcNetnsDir };
  const found = await adoptOrClean(kernel, plan.runId, { ...clean, plan });
  if (found !== 'adopted') {
    try {
      await create(kernel, plan);
    } catch (e) {
      await adoptOrClean(kernel, plan.runId, clean).catch(() => {});
      throw e;
    }
  }
  const nodes = plan.nodes.map((n) => makeNodeNetwork({ nodeName: n.name, nodeIP: n.nodeIP, podCidr: n.podCidr, gateway: n.gateway, netns: n.netns }));
  if (opts.stateFile) {
    await writeNetworkState(opts.stateFile, {
      mode: 'isolated',
      runId: plan.runId,
      hostIP: plan.hostIP,
      nodes: nodes.map((n) => ({ name: n.nodeName, netns: n.netns, nodeIP: n.nodeIP, podCidr: n.podCidr, gateway: n.gateway })),
    });
  }
  return {
    plan,
    hostIP: plan.hostIP,
    nodes,
    origin: found === 'adopted' ? 'adopted' : 'created',
    teardown: async function teardown() {
      await adoptOrClean(kernel, plan.runId, clean);
      if (opts.stateFile) await removeNetworkState(opts.stateFile);
    },
  };
}

/**
 * @module Host mode: this machine is the node, as with k3s. The node bridge
 * `nkbr0` and the node's routes live in the host namespace, built by the
 * same `nodeBridgeBatch` as an isolated node. Tests never use this mode.
 *
 * What it changes on the machine, all undone by teardown (or by the next
 * start after a crash, from the state file written before any change):
 *  - a bridge `nkbr0` with the pod CIDR gateway (10.244.0.1/24), and so the
 *    connected route 10.244.0.0/24 dev nkbr0; one veth `nkv<id>` per pod;
 *  - `local 10.96.0.0/12 dev lo src 10.244.0.1` in the local table: packets
 *    to service IPs never leave the machine;
 *  - a route to each other node's pod CIDR via its node IP (multi-node only);
 *  - only with `enableForwarding`: net.ipv4.ip_forward=1 (the previous value
 *    is recorded and restored). Without it pods reach each other and the
 *    host, but not Services (DNAT then forwarding) or other nodes;
 *  - only with `masquerade`: nft table `ip nanokube-host` that masquerades
 *    pod traffic leaving the cluster CIDR (pods reach the outside world).
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { parseCidr } from '../../api/net.ts';
import type { Kernel, NodeNetwork } from '../types.ts';
import { NetworkError } from './errors.ts';
import { execIn, gatewayOf, makeNodeNetwork, masqueradeRuleset, networkDefaults, nodeBridgeBatch } from './plan.ts';
import { readJson, removeNetworkState, writeJsonAtomic } from './state.ts';

export interface HostNetworkOptions {
  nodeName: string;
  nodeIP: string;
  /** This node's pod CIDR, e.g. 10.244.0.0/24. */
  podCidr: string;
  clusterCidr?: string;
  serviceCidr?: string;
  /** Other nodes (multi-node): their pod CIDR is routed via their node IP. */
  peers?: { podCidr: string; nodeIP: string }[];
  mtu?: number;
  /** What setup changed, so that teardown (or the next start after a crash) undoes exactly that. */
  stateFile: string;
  /** Sets net.ipv4.ip_forward=1 on the host (Services, multi-node). Off by default. */
  enableForwarding?: boolean;
  /** Masquerades pod traffic that leaves the cluster CIDR. Off by default. */
  masquerade?: boolean;
}

export interface HostNetwork extends NodeNetwork {
  origin: 'created' | 'adopted';
  teardown(): Promise<void>;
}

/** The record of every change made to the host; each field is undone on its own. */
interface HostState {
  bridge: string;
  gateway: string;
  serviceCidr: string;
  peers: { podCidr: string; nodeIP: string }[];
  /** ip_forward before we set it; absent when we did not touch it. */
  forwardingBefore?: string;
  masqueradeTable?: string;
}

export const HOST_NAT_TABLE = 'nanokube-host';
const FORWARD = '/proc/sys/net/ipv4/ip_forward';

/** The first non-internal IPv4 address of an interface nanokube did not make: the default node IP. */
export function detectNodeIP(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string | undefined {
  for (const [name, addrs] of Object.entries(interfaces)) {
    if (name === networkDefaults.bridge || name.startsWith('nk')) continue;
    const a = (addrs ?? []).find((x) => x.family === 'IPv4' && !x.internal);
    if (a) return a.address;
  }
  return undefined;
}

/** Undoes what a state file records, in reverse order of setup; true when there was one. */
export async function cleanHostNetwork(kernel: Kernel, stateFile: string): Promise<boolean> {
  const s = await readJson<HostState>(stateFile);
  if (!s) return false;
  if (s.masqueradeTable) await kernel.run(['nft', 'delete', 'table', 'ip', s.masqueradeTable], { allowFail: true });
  if (s.forwardingBefore !== undefined && s.forwardingBefore !== '1') {
    await kernel.run(execIn('', 'tee', FORWARD), { input: `${s.forwardingBefore}\n`, allowFail: true });
  }
  for (const p of s.peers) await kernel.run(['ip', 'route', 'del', p.podCidr, 'via', p.nodeIP], { allowFail: true });
  await kernel.run(['ip', 'route', 'del', 'local', s.serviceCidr, 'dev', 'lo', 'table', 'local'], { allowFail: true });
  // Deleting the bridge also removes its address and the connected pod CIDR route.
  await kernel.run(['ip', 'link', 'del', s.bridge], { allowFail: true });
  await removeNetworkState(stateFile);
  return true;
}

async function bridgeHasGateway(kernel: Kernel, bridge: string, gateway: string): Promise<boolean> {
  const r = await kernel.run(['ip', '-j', '-4', 'addr', 'show', 'dev', bridge], { allowFail: true });
  if (r.code !== 0) return false;
  try {
    return (JSON.parse(r.stdout) as { addr_info?: { local: string }[] }[]).some((l) => (l.addr_info ?? []).some((a) => a.local === gateway));
  } catch {
    return false;
  }
}

export async function setupHostNetwork(kernel: Kernel, o: HostNetworkOptions): Promise<HostNetwork> {
  let podCidr: string;
  try {
    podCidr = parseCidr(o.podCidr).text;
  } catch (e) {
    throw new NetworkError('INVALID', (e as Error).message);
  }
  const gateway = gatewayOf(podCidr);
  const bridge = networkDefaults.bridge;
  const state: HostState = { bridge, gateway, serviceCidr: o.serviceCidr ?? networkDefaults.serviceCidr, peers: o.peers ?? [] };
  const node = makeNodeNetwork({ nodeName: o.nodeName, nodeIP: o.nodeIP, podCidr, gateway, netns: '' });
  const teardown = async () => {
    await cleanHostNetwork(kernel, o.stateFile);
  };
  // An agent restart finds its bridge with running pods' veths on it: kept, or they would lose
  // their network. Anything else a previous run left is undone before starting afresh.
  const previous = await readJson<HostState>(o.stateFile);
  if (previous && previous.gateway === gateway && (await bridgeHasGateway(kernel, bridge, gateway))) {
    return { ...node, origin: 'adopted', teardown };
  }
  await cleanHostNetwork(kernel, o.stateFile);
  try {
    if (o.enableForwarding) {
      state.forwardingBefore = (await kernel.run(['cat', FORWARD])).stdout.trim();
    }
    if (o.masquerade) state.masqueradeTable = HOST_NAT_TABLE;
    // Written before the first change: a crash half-way still leaves the record to undo it.
    await writeJsonAtomic(o.stateFile, state);
    await kernel.run(['ip', '-batch', '-'], {
      input: nodeBridgeBatch({ bridge, mtu: o.mtu ?? networkDefaults.mtu, podCidr, gateway, serviceCidr: state.serviceCidr, peers: state.peers }).join('\n') + '\n',
    });
    if (o.enableForwarding && state.forwardingBefore !== '1') await kernel.run(execIn('', 'tee', FORWARD), { input: '1\n' });
    if (o.masquerade) {
      const clusterCidr = o.clusterCidr ?? networkDefaults.clusterCidr;
      await kernel.run(['nft', '-f', '-'], { input: masqueradeRuleset({ table: HOST_NAT_TABLE, podCidr: clusterCidr, clusterCidr, bridge }) });
    }
  } catch (e) {
    await teardown().catch(() => {});
    throw e;
  }
  return { ...node, origin: 'created', teardown };
}

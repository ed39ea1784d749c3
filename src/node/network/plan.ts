/**
 * @module The address plan and the pure command builders shared by both
 * node network modes: what a node bridge, its routes and its masquerade rule
 * look like, as `ip -batch` lines and nft text. Nothing here runs anything.
 */
import { randomBytes } from 'node:crypto';
import { cidrContains, intToIp, nthIp, parseCidr } from '../../api/net.ts';
import type { NodeNetwork } from '../types.ts';
import { NetworkError } from './errors.ts';

/** Every default of the node network, in one place. */
export const networkDefaults = {
  clusterCidr: '10.244.0.0/16',
  serviceCidr: '10.96.0.0/12',
  /** Isolated mode: the link between the nodes and the host; the host is .1, node i is .(10+i). */
  nodeNetwork: '172.30.0.0/24',
  podCidrBits: 24,
  mtu: 1500,
  bridge: 'nkbr0',
} as const;

/** Interface names are limited to 15 bytes (IFNAMSIZ 16 with the NUL). */
export const IFNAMSIZ = 15;

export interface NodePlan {
  index: number;
  name: string;
  /** Network namespace of the node (`nk-R-nI`). */
  netns: string;
  nodeIP: string;
  podCidr: string;
  gateway: string;
  /** The node's port on the cluster switch, inside the switch namespace. */
  switchPort: string;
}

export interface IsolatedPlan {
  runId: string;
  /** Namespace that holds the cluster switch (`nk-R-net`). */
  switchNetns: string;
  switchBridge: string;
  /** The one link nanokube adds to the host namespace, and its peer's name in the switch namespace. */
  hostLink: string;
  hostPeer: string;
  hostIP: string;
  nodeNetwork: string;
  /** Prefix length of the node network, for `addr add IP/LEN`. */
  nodeNetworkBits: number;
  clusterCidr: string;
  serviceCidr: string;
  mtu: number;
  bridge: string;
  nodes: NodePlan[];
}

export interface IsolatedPlanOptions {
  runId: string;
  nodes: number;
  /** Default `node-0`, `node-1`, ... */
  nodeNames?: string[];
  clusterCidr?: string;
  serviceCidr?: string;
  nodeNetwork?: string;
  mtu?: number;
}

const RUN_ID = /^[a-z0-9]{1,8}$/;

/** A short random run id: every name of a run carries it, so runs cannot collide. */
export function newRunId(): string {
  return randomBytes(3).toString('hex');
}

/** argv[0] of a pod's pause process: `nanokube-pause:<node netns>:<pod netns>`. */
export function pauseTag(nodeNetns: string, podNetns: string): string {
  return `${PAUSE_TAG}:${nodeNetns}:${podNetns}`;
}

export const PAUSE_TAG = 'nanokube-pause';

/** The NodeNetwork the rest of the agent sees; '' netns is the host's own. */
export function makeNodeNetwork(n: { nodeName: string; nodeIP: string; podCidr: string; gateway: string; netns: string }): NodeNetwork {
  return {
    ...n,
    execPrefix: function execPrefix() {
      return execIn(n.netns);
    },
  };
}

/** The i-th /24 (podCidrBits) of the cluster CIDR: node 0 gets 10.244.0.0/24, node 1 10.244.1.0/24. */
export function podCidrFor(clusterCidr: string, index: number, bits: number = networkDefaults.podCidrBits): string {
  const c = parseCidr(clusterCidr);
  const size = 2 ** (32 - bits);
  if (bits < c.bits || (index + 1) * size > c.size) throw new NetworkError('INVALID', `cluster CIDR ${clusterCidr} has no /${bits} number ${index}`);
  return `${intToIp(c.base + index * size)}/${bits}`;
}

/** The bridge gateway of a pod CIDR: its first address. */
export function gatewayOf(podCidr: string): string {
  return nthIp(parseCidr(podCidr), 1);
}

function cidr(text: string): ReturnType<typeof parseCidr> {
  try {
    return parseCidr(text);
  } catch (e) {
    throw new NetworkError('INVALID', (e as Error).message);
  }
}

export function isolatedPlan(o: IsolatedPlanOptions): IsolatedPlan {
  if (!RUN_ID.test(o.runId)) throw new NetworkError('INVALID', `run id "${o.runId}" must be 1 to 8 of [a-z0-9]`);
  const nodeNet = cidr(o.nodeNetwork ?? networkDefaults.nodeNetwork);
  const clusterCidr = cidr(o.clusterCidr ?? networkDefaults.clusterCidr).text;
  const serviceCidr = cidr(o.serviceCidr ?? networkDefaults.serviceCidr).text;
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || 10 + o.nodes > nodeNet.size - 1) {
    throw new NetworkError('INVALID', `${o.nodes} nodes do not fit the node network ${nodeNet.text} (node i is .${10}+i)`);
  }
  const names = o.nodeNames ?? Array.from({ length: o.nodes }, (_, i) => `node-${i}`);
  if (names.length !== o.nodes || new Set(names).size !== names.length) throw new NetworkError('INVALID', 'nodeNames must name every node once');
  const prefix = `nk-${o.runId}-`;
  const nodes = names.map((name, index): NodePlan => {
    const podCidr = podCidrFor(clusterCidr, index);
    return { index, name, netns: `${prefix}n${index}`, nodeIP: nthIp(nodeNet, 10 + index), podCidr, gateway: gatewayOf(podCidr), switchPort: `n${index}` };
  });
  const hostIP = nthIp(nodeNet, 1);
  if (cidrContains(cidr(clusterCidr), hostIP) || cidrContains(cidr(serviceCidr), hostIP)) {
    throw new NetworkError('INVALID', `node network ${nodeNet.text} overlaps the cluster or service CIDR`);
  }
  return {
    runId: o.runId,
    switchNetns: `${prefix}net`,
    switchBridge: 'br0',
    hostLink: `${prefix}h`,
    hostPeer: 'host',
    hostIP,
    nodeNetwork: nodeNet.text,
    nodeNetworkBits: nodeNet.bits,
    clusterCidr,
    serviceCidr,
    mtu: o.mtu ?? networkDefaults.mtu,
    bridge: networkDefaults.bridge,
    nodes,
  };
}

/** `ip` in a namespace; '' is the caller's own (the host in host mode). */
export function ipIn(netns: string, ...args: string[]): string[] {
  return netns ? ['ip', '-n', netns, ...args] : ['ip', ...args];
}

/** A host command in a namespace; '' runs it as is. */
export function execIn(netns: string, ...argv: string[]): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
}

/**
 * A fixed MAC for the node bridge, 0a:58 + the gateway address (as OVN-Kubernetes does). A bridge
 * whose MAC was never set takes the lowest MAC of its ports, so it would change as pods come and
 * go and leave stale gateway entries in the pods' ARP caches.
 */
export function bridgeMac(gateway: string): string {
  return ['0a', '58', ...gateway.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}

export interface NodeBridgeSpec {
  bridge: string;
  mtu: number;
  podCidr: string;
  gateway: string;
  serviceCidr: string;
  /** The other nodes: their pod CIDR is routed via their node IP. */
  peers: { podCidr: string; nodeIP: string }[];
}

/**
 * The node bridge and the node's routes, as `ip -batch` lines (one exec for all of them).
 *
 * The service CIDR is a `local` route (the AnyIP trick, as kube-proxy's IPVS mode does with
 * kube-ipvs0) rather than `unreachable`: a packet to a service IP that no proxy rule rewrote is
 * delivered to the node's own stack and refused at once (TCP RST, ICMP port unreachable), so it
 * dies on the node. `unreachable` would refuse it as quickly for pods, but it would also fail
 * connect() from the node itself (hostNetwork pods, `nanokube node exec`) before the nftables
 * output hook could DNAT it: the route lookup of a local socket runs first. `src GATEWAY` gives
 * such node-local connections the bridge address as source instead of the service IP itself.
 */
export function nodeBridgeBatch(s: NodeBridgeSpec): string[] {
  return [
    `link add ${s.bridge} address ${bridgeMac(s.gateway)} mtu ${s.mtu} type bridge`,
    `addr add ${s.gateway}/${cidr(s.podCidr).bits} dev ${s.bridge}`,
    `link set ${s.bridge} up`,
    `route add local ${s.serviceCidr} dev lo src ${s.gateway}`,
    ...s.peers.map((p) => `route add ${p.podCidr} via ${p.nodeIP}`),
  ];
}

/** nft text for a masquerade table; `to` limits it to one destination, else every non-cluster one. */
export function masqueradeRuleset(o: { table: string; podCidr: string; to?: string; clusterCidr?: string; bridge?: string }): string {
  const match = o.to
    ? `ip saddr ${o.podCidr} ip daddr ${o.to} masquerade`
    : `ip saddr ${o.podCidr} ip daddr != ${o.clusterCidr} oifname != "${o.bridge}" masquerade`;
  return [
    `table ip ${o.table} {`,
    `\tchain postrouting {`,
    `\t\ttype nat hook postrouting priority srcnat; policy accept;`,
    `\t\t${match}`,
    `\t}`,
    `}`,
    '',
  ].join('\n');
}

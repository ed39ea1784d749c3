/**
 * @module What the nftables mode programs, as data: the fixed part of the
 * table (base chains, dispatch maps, masquerading) and, per service port,
 * its chains with their rules, its affinity sets and its map and set
 * elements. The rules follow kube-proxy's nftables proxier
 * (pkg/proxy/nftables/proxier.go, syncProxyRules and setupNFTables), with
 * fewer rules and chains so that 10,000 services load in about a second:
 * endpoint chains only for session affinity (see portRules), one rule for
 * the masquerading of off-cluster traffic to cluster IPs and one set for
 * hairpin traffic instead of a rule per service and per endpoint, and rules
 * instead of anonymous vmaps for small endpoint counts (VMAP_MIN_ENDPOINTS).
 * Both the full and the incremental ruleset text are printed from these
 * structures.
 */
import { endpointChainBase, servicePortChainBase } from './nftables-names.ts';
import type { ProxyEndpoint, ProxyNodeInfo, ProxyServicePort } from './types.ts';

export interface NftOptions {
  /** Table name (family ip). Default "nanokube". */
  table?: string;
  /** Bit of the packet mark that asks for masquerading (kube-proxy --masquerade-bit, default 14 = 0x4000). */
  masqueradeBit?: number;
}

export const DEFAULT_TABLE = 'nanokube';

/** One service port's share of the table. Rules are bodies, printed inside a chain block. */
export interface PortRules {
  /** Chains in creation order with their rules; rules may only jump to chains listed before or fixed ones. */
  chains: [name: string, rules: string[]][];
  /** Affinity sets and their definition lines (`type ipv4_addr`, ...). */
  sets: [name: string, spec: string[]][];
  /**
   * Elements of the shared maps and sets: [container, key, value ('' in a set), id, the claiming
   * port's key ('' for the fixed part)]. The id is `${container} ${key}`, or for the hairpin set the
   * bare address (no other id lacks a space; a string the model keeps from one state to the next
   * hashes once, which matters for 50,000 of them). Several ports may claim one key (the hairpin
   * set: an endpoint of several services).
   */
  elements: [container: string, key: string, value: string, id: string, port: string][];
  /** Rules in all its chains. */
  ruleCount: number;
}

const MASQ = 'jump mark-for-masquerade';
/** The set of endpoint addresses (as `ip . ip`) whose traffic to themselves through a service is masqueraded. */
export const HAIRPIN_SET = 'hairpin-endpoints';
const REJECT = 'goto reject-chain';

/** The masquerade mark as kube-proxy prints it (`%#x` of 1 << bit). */
export function masqueradeMark(opts: NftOptions): string {
  return `0x${(2 ** (opts.masqueradeBit ?? 14)).toString(16)}`;
}

/** A chain of the fixed part: [name, base chain spec ('' for a regular chain), rules]. */
export type BaseChain = [name: string, spec: string, rules: string[]];
/** A set or map of the fixed part: [kind, name, definition lines (the type first)]. */
export type BaseSet = [kind: 'set' | 'map', name: string, spec: string[]];

/** The fixed part of the table: what does not depend on any service. */
export interface BaseTable {
  chains: BaseChain[];
  sets: BaseSet[];
  elements: PortRules['elements'];
}

/**
 * kube-proxy's setupNFTables: base chains, dispatch maps and their rules, masquerading, the
 * no-endpoint and unallocated-cluster-IP checks. Without the loadBalancerSourceRanges firewall (not
 * in the model), hence without filter-prerouting, which would stay empty. Priorities are numbers:
 * nft 1.0.6 refuses `dstnat` on the output hook.
 */
export function baseTable(node: ProxyNodeInfo, opts: NftOptions): BaseTable {
  const mark = masqueradeMark(opts);
  const nodeIPs = [...new Set(node.nodePortAddresses)];
  // Without explicit NodePort addresses every local address but loopback answers (kube-proxy's MatchAll).
  const npMatch = nodeIPs.length ? 'ip daddr @nodeport-ips' : 'fib daddr type local ip daddr != 127.0.0.0/8';
  const npCheck = nodeIPs.length ? 'ip daddr @nodeport-ips' : 'ip daddr != 127.0.0.0/8';
  const hook = (type: string, h: string, prio: number) => `type ${type} hook ${h} priority ${prio}; policy accept;`;
  const unallocated = node.serviceCidr
    ? // kube-proxy drops these; nanokube refuses them so that a client fails at once instead of timing out.
      [`ip daddr ${node.serviceCidr} reject comment "Reject traffic to unallocated ClusterIPs"`]
    : [];
  const chains: BaseChain[] = [
    // Filter chains run before DNAT (dstnat - 10) so they see the service address; reject is only
    // valid in the input, forward and output hooks (kernels before 5.9), hence no prerouting.
    // filter-input also checks cluster IPs (kube-proxy does not): nanokube routes the service CIDR to
    // a node's loopback, so a packet no service rule rewrote arrives here instead of being forwarded.
    [
      'filter-input',
      hook('filter', 'input', -110),
      ['ct state new jump nodeport-endpoints-check', 'ct state new jump service-endpoints-check', 'ct state new jump cluster-ips-check'],
    ],
    ['filter-forward', hook('filter', 'forward', -110), ['ct state new jump service-endpoints-check', 'ct state new jump cluster-ips-check']],
    ['filter-output', hook('filter', 'output', -110), ['ct state new jump service-endpoints-check']],
    // After DNAT (dstnat + 10): a cluster IP still there matched no service port.
    ['filter-output-post-dnat', hook('filter', 'output', -90), ['ct state new jump cluster-ips-check']],
    ['nat-prerouting', hook('nat', 'prerouting', -100), ['jump services']],
    ['nat-output', hook('nat', 'output', -100), ['jump services']],
    ['nat-postrouting', hook('nat', 'postrouting', 100), ['jump masquerading']],
    [
      'services',
      '',
      [
        // kube-proxy has this rule in each service's chain (with its address and port): once here costs
        // one rule instead of 10,000. Marking traffic to a cluster IP that is then refused is harmless.
        ...(node.clusterCidr ? [`ip daddr @cluster-ips ip saddr != ${node.clusterCidr} ${MASQ}`] : []),
        'ip daddr . meta l4proto . th dport vmap @service-ips',
        `${npMatch} meta l4proto . th dport vmap @service-nodeports`,
      ],
    ],
    ['service-endpoints-check', '', ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services']],
    ['nodeport-endpoints-check', '', [`${npCheck} meta l4proto . th dport vmap @no-endpoint-nodeports`]],
    ['cluster-ips-check', '', ['ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"', ...unallocated]],
    ['mark-for-masquerade', '', [`mark set mark or ${mark}`]],
    [
      'masquerading',
      '',
      [
        // Hairpin: a pod sent to itself through a service must see the node as the source, or its reply
        // would stay inside the pod. kube-proxy marks these in each endpoint chain (ip saddr <endpoint>);
        // after DNAT the same packets have saddr == daddr, an endpoint: one lookup instead of a rule per endpoint.
        `ct status dnat ip saddr . ip daddr @${HAIRPIN_SET} ${MASQ}`,
        `mark and ${mark} == 0 return`,
        `mark set mark xor ${mark}`,
        'masquerade fully-random',
      ],
    ],
    // A TCP client gets a reset, anything else ICMP port unreachable: either way it fails at once.
    ['reject-chain', '', ['meta l4proto tcp reject with tcp reset', 'reject']],
  ];
  const vmap = (name: string, type: string, comment: string): BaseSet => ['map', name, [`type ${type} : verdict`, `comment "${comment}"`]];
  const sets: BaseSet[] = [['set', 'cluster-ips', ['type ipv4_addr', 'comment "Active ClusterIPs"']]];
  if (nodeIPs.length) sets.push(['set', 'nodeport-ips', ['type ipv4_addr', 'comment "IPs that accept NodePort traffic"']]);
  sets.push(
    vmap('no-endpoint-services', 'ipv4_addr . inet_proto . inet_service', 'vmap to drop or reject packets to services with no endpoints'),
    vmap('no-endpoint-nodeports', 'inet_proto . inet_service', 'vmap to drop or reject packets to service nodeports with no endpoints'),
    vmap('service-ips', 'ipv4_addr . inet_proto . inet_service', 'ClusterIP, ExternalIP and LoadBalancer IP traffic'),
    vmap('service-nodeports', 'inet_proto . inet_service', 'NodePort traffic'),
    ['set', HAIRPIN_SET, ['type ipv4_addr . ipv4_addr', 'comment "Endpoints masqueraded when they reach themselves through a service"']],
  );
  return { chains, sets, elements: nodeIPs.map((ip) => ['nodeport-ips', ip, '', `nodeport-ips ${ip}`, '']) };
}

/**
 * From this many endpoints on, a chain picks one with one rule, as kube-proxy does:
 * `numgen random mod N vmap { ... }` (session affinity) or `dnat ip to numgen random mod N map { ... }`.
 * Below, with one rule per endpoint, each firing with probability 1/(endpoints left) (iptables'
 * statistic mode), which costs the kernel nothing to load. Each such map is an anonymous set, and the
 * kernel names a new anonymous set by scanning every set of the table (nf_tables_set_alloc_name):
 * 10,000 services took 130 s to load that way. (A named map shared by all services is no way out:
 * the kernel walks a map's elements each time a rule in another chain starts using it.)
 */
export const VMAP_MIN_ENDPOINTS = 17;

const epKey = (e: ProxyEndpoint) => `${e.ip}:${e.port}`;

/**
 * One service port's chains, sets and elements: syncProxyRules' loop body. `service-` is the
 * cluster-policy chain (every usable endpoint), `local-` the local-policy chain, `external-` the
 * entry for NodePort, external and load-balancer traffic. Without session affinity these chains DNAT
 * to the endpoints themselves; with it, each endpoint has its chain (`endpoint-`: affinity update,
 * DNAT) and its affinity set, as in kube-proxy, because the affinity set to update depends on the
 * endpoint picked. Every endpoint's address goes into the hairpin set.
 */
export function portRules(sp: ProxyServicePort, node: ProxyNodeInfo): PortRules {
  const proto = sp.protocol.toLowerCase();
  const base = servicePortChainBase(sp.namespace, sp.name, proto, sp.portName);
  const clusterChain = `service-${base}`;
  const localChain = `local-${base}`;
  const externalChain = `external-${base}`;
  const cidr = node.clusterCidr;
  const extAccessible = sp.nodePort !== undefined || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
  // kube-proxy's clusterEndpoints / localEndpoints (the model keeps the former apart for ITP Local).
  const all = sp.internalPolicyLocal ? (sp.clusterPolicyEndpoints ?? sp.clusterEndpoints) : sp.clusterEndpoints;
  const local = sp.internalPolicyLocal ? sp.clusterEndpoints : sp.localEndpoints;
  const etpLocal = sp.externalPolicyLocal && extAccessible;
  // "hasEndpoints": a usable endpoint somewhere in the cluster.
  const hasEndpoints = all.length > 0;
  const usesClusterChain = hasEndpoints && (!sp.internalPolicyLocal || extAccessible);
  const usesLocalChain = hasEndpoints && local.length > 0 && (sp.internalPolicyLocal || etpLocal);
  const internalChain = sp.internalPolicyLocal ? localChain : clusterChain;
  const hasInternal = sp.internalPolicyLocal ? usesLocalChain : hasEndpoints;
  const externalPolicyChain = etpLocal ? localChain : clusterChain;
  const hasExternal = etpLocal ? usesLocalChain : hasEndpoints;
  const usesExternalChain = hasEndpoints && extAccessible;
  // No endpoint anywhere: refuse. Endpoints elsewhere but none here for a Local policy: drop (upstream).
  const internalFilter = hasEndpoints ? 'drop' : REJECT;
  const externalFilter = hasEndpoints ? 'drop' : REJECT;

  const elements: PortRules['elements'] = [];
  const el = (container: string, key: string, value: string) => elements.push([container, key, value, `${container} ${key}`, sp.key]);
  el('cluster-ips', sp.clusterIP, '');
  const ipKey = (ip: string) => `${ip} . ${proto} . ${sp.port}`;
  if (hasInternal) el('service-ips', ipKey(sp.clusterIP), `goto ${internalChain}`);
  else el('no-endpoint-services', ipKey(sp.clusterIP), internalFilter);
  for (const ip of [...sp.externalIPs, ...sp.loadBalancerIPs]) {
    if (hasEndpoints) el('service-ips', ipKey(ip), `goto ${externalChain}`);
    if (!hasExternal) el('no-endpoint-services', ipKey(ip), externalFilter);
  }
  if (sp.nodePort !== undefined) {
    const k = `${proto} . ${sp.nodePort}`;
    if (hasEndpoints) el('service-nodeports', k, `goto ${externalChain}`);
    if (!hasExternal) el('no-endpoint-nodeports', k, externalFilter);
  }

  // Every endpoint some chain of this port sends to goes into the hairpin set; with affinity, each has
  // its own chain and set. (Lists are deduplicated only when two are used: this runs 10,000 times.)
  const affinity = sp.affinityTimeoutSeconds !== undefined;
  const reachable = new Map<string, { ep: ProxyEndpoint; chain: string; set: string }>();
  const seen = usesClusterChain && usesLocalChain ? new Set<string>() : undefined;
  for (const list of [usesClusterChain ? all : [], usesLocalChain ? local : []]) {
    for (const ep of list) {
      if (seen?.has(epKey(ep))) continue;
      seen?.add(epKey(ep));
      elements.push([HAIRPIN_SET, `${ep.ip} . ${ep.ip}`, '', ep.ip, sp.key]);
      if (!affinity) continue;
      const b = endpointChainBase(sp.namespace, sp.name, proto, sp.portName, ep.ip, ep.port);
      reachable.set(epKey(ep), { ep, chain: `endpoint-${b}`, set: `affinity-${b}` });
    }
  }
  const dnat = (ep: ProxyEndpoint) => `meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`;

  /** writeServiceToEndpointRules: affinity first, then a random pick. */
  const policyRules = (eps: ProxyEndpoint[]): string[] => {
    const n = eps.length;
    if (!affinity) {
      if (n >= VMAP_MIN_ENDPOINTS) return [`meta l4proto ${proto} dnat ip to numgen random mod ${n} map { ${eps.map((e, i) => `${i} : ${e.ip} . ${e.port}`).join(', ')} }`];
      // Rule i fires with probability 1/(n-i) of the packets that reach it: 1/n each overall.
      return eps.map((e, i) => (i === n - 1 ? dnat(e) : `numgen random mod ${n - i} == 0 ${dnat(e)}`));
    }
    const chains = eps.map((e) => reachable.get(epKey(e))!);
    const rules = chains.map((c) => `ip saddr @${c.set} goto ${c.chain}`);
    if (n >= VMAP_MIN_ENDPOINTS) rules.push(`numgen random mod ${n} vmap { ${chains.map((c, i) => `${i} : goto ${c.chain}`).join(', ')} }`);
    else chains.forEach((c, i) => rules.push(i === n - 1 ? `goto ${c.chain}` : `numgen random mod ${n - i} == 0 goto ${c.chain}`));
    return rules;
  };

  const chains: PortRules['chains'] = [];
  if (affinity) for (const { ep, chain, set } of reachable.values()) chains.push([chain, [`update @${set} { ip saddr }`, dnat(ep)]]);
  if (usesClusterChain) chains.push([clusterChain, policyRules(all)]);
  if (usesLocalChain) chains.push([localChain, policyRules(local)]);
  if (usesExternalChain) {
    const rules: string[] = [];
    if (!etpLocal) {
      // Cluster policy may cross nodes: masquerade so the reply returns through this node.
      rules.push(MASQ);
    } else {
      // Pod traffic to an external address skips the policy, as if it had gone out and come back.
      if (cidr) rules.push(`ip saddr ${cidr} goto ${clusterChain} comment "short-circuit pod traffic"`);
      // The node's own traffic has a node address as source, which a pod could not answer directly.
      rules.push(`fib saddr type local ${MASQ} comment "masquerade local traffic"`);
      rules.push(`fib saddr type local goto ${clusterChain} comment "short-circuit local traffic"`);
    }
    if (hasExternal) rules.push(`goto ${externalPolicyChain}`);
    chains.push([externalChain, rules]);
  }
  const sets: PortRules['sets'] = affinity
    ? [...reachable.values()].map((c) => [c.set, ['type ipv4_addr', 'flags dynamic,timeout', `timeout ${sp.affinityTimeoutSeconds}s`]])
    : [];
  return { chains, sets, elements, ruleCount: chains.reduce((n, c) => n + c[1].length, 0) };
}

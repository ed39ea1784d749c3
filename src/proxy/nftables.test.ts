/**
 * The exact nftables text for one service of each kind, and the whole
 * table for a small cluster. Address plan: this node is node-a, NodePorts
 * answer on 172.30.0.2; node-b is another node. Cluster CIDR 10.244.0.0/16
 * (node-a pods 10.244.1.x, node-b pods 10.244.2.x, 10.244.3.x for the big
 * service); service CIDR 10.96.0.0/12:
 *   web       10.96.0.20:80     -> 10.244.1.9:8080 (node-a), 10.244.2.9:8080
 *   np        10.96.0.30:80     NodePort 30001 -> 10.244.2.30:8080
 *   lb        10.96.0.40:8080   LoadBalancer 198.51.100.7, externalIP 192.0.2.10, NodePort 30040 -> 10.244.2.40:80
 *   sticky    10.96.0.50:80     ClientIP affinity 60 s -> 10.244.1.50:8080, 10.244.2.50:8080
 *   etp       10.96.0.60:80     NodePort 30060, externalTrafficPolicy Local -> 10.244.1.60 (local), 10.244.2.60
 *   etp-none  10.96.0.61:80     NodePort 30061, externalTrafficPolicy Local -> 10.244.2.61 (not local)
 *   itp       10.96.0.70:80     NodePort 30070, internalTrafficPolicy Local -> 10.244.1.70 (local), 10.244.2.70
 *   itp-none  10.96.0.71:80     internalTrafficPolicy Local -> 10.244.2.71 (not local)
 *   multi     10.96.0.80:80,9090 -> 10.244.2.80:8080, :9090
 *   dns       10.96.0.10:53/UDP -> 10.244.1.10:53
 *   empty     10.96.0.90:80     NodePort 30090 -> 10.244.2.90 not ready
 *   term      10.96.0.95:80     -> 10.244.2.95 serving and terminating, 10.244.2.96 not ready
 *   big       10.96.0.99:80     -> 10.244.3.1-17:8080
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { realKernel } from '../node/kernel.ts';
import { proxyState } from './model.ts';
import { countRules, fullRuleset, incrementalRuleset, ruleCount, samePort } from './nftables.ts';
import { endpointChainBase, servicePortChainBase } from './nftables-names.ts';
import type { ProxyNodeInfo, ProxyServicePort, ProxyState } from './types.ts';

const node: ProxyNodeInfo = { nodeName: 'node-a', nodePortAddresses: ['172.30.0.2'], clusterCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12' };
const none: ProxyState = { node, services: [] };

function svc(name: string, spec: Record<string, any>, status?: Record<string, any>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type: 'ClusterIP', ...spec }, ...(status ? { status } : {}) };
}
/** A slice of one service; an endpoint is [ip, node, ready = true, serving = ready, terminating = false]. */
function slice(service: string, ports: any[], eps: [string, string, boolean?, boolean?, boolean?][]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports,
    endpoints: eps.map(([ip, nodeName, ready = true, serving = ready, terminating = false]) => ({ addresses: [ip], nodeName, conditions: { ready, serving, terminating } })),
  };
}
const http = [{ name: 'http', port: 8080, protocol: 'TCP' }];
/** Everything one service adds to a table that has none: its chains, sets, elements and rules. */
const added = (objects: KubeObject[]) => incrementalRuleset(none, proxyState([objects[0]], [objects[1]], node))!.trimEnd().split('\n');

const cases: [title: string, objects: KubeObject[], expected: string[]][] = [
  [
    'ClusterIP: the service chain picks one of two endpoints and DNATs to it; both go into the hairpin set',
    [svc('web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] }), slice('web', http, [['10.244.1.9', 'node-a'], ['10.244.2.9', 'node-b']])],
    [
      'add chain ip nanokube service-SUSTUHLJ-default/web/tcp/http {',
      '\tnumgen random mod 2 == 0 meta l4proto tcp dnat to 10.244.1.9:8080',
      '\tmeta l4proto tcp dnat to 10.244.2.9:8080',
      '}',
      'add set ip nanokube cluster-ips { type ipv4_addr ; elements = { 10.96.0.20 } ; }',
      'add map ip nanokube service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; elements = { 10.96.0.20 . tcp . 80 : goto service-SUSTUHLJ-default/web/tcp/http } ; }',
      'add set ip nanokube hairpin-endpoints { type ipv4_addr . ipv4_addr ; elements = { 10.244.1.9 . 10.244.1.9, 10.244.2.9 . 10.244.2.9 } ; }',
    ],
  ],
  [
    'NodePort: the external chain masquerades and goes to the service chain',
    [svc('np', { type: 'NodePort', clusterIP: '10.96.0.30', ports: [{ name: 'http', port: 80, nodePort: 30001 }] }), slice('np', http, [['10.244.2.30', 'node-b']])],
    [
      'add chain ip nanokube service-ASNVMIOD-default/np/tcp/http {',
      '\tmeta l4proto tcp dnat to 10.244.2.30:8080',
      '}',
      'add chain ip nanokube external-ASNVMIOD-default/np/tcp/http {',
      '\tjump mark-for-masquerade',
      '\tgoto service-ASNVMIOD-default/np/tcp/http',
      '}',
      'add set ip nanokube cluster-ips { type ipv4_addr ; elements = { 10.96.0.30 } ; }',
      'add map ip nanokube service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; elements = { 10.96.0.30 . tcp . 80 : goto service-ASNVMIOD-default/np/tcp/http } ; }',
      'add map ip nanokube service-nodeports { type inet_proto . inet_service : verdict ; elements = { tcp . 30001 : goto external-ASNVMIOD-default/np/tcp/http } ; }',
      'add set ip nanokube hairpin-endpoints { type ipv4_addr . ipv4_addr ; elements = { 10.244.2.30 . 10.244.2.30 } ; }',
    ],
  ],
  [
    'LoadBalancer with externalIPs and an unnamed port: both addresses go to the external chain',
    [svc('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.40', externalIPs: ['192.0.2.10'], ports: [{ port: 8080, nodePort: 30040 }] }, { loadBalancer: { ingress: [{ ip: '198.51.100.7' }] } }), slice('lb', [{ name: '', port: 80 }], [['10.244.2.40', 'node-b']])],
    [
      'add chain ip nanokube service-Z62NTLDZ-default/lb/tcp/ {',
      '\tmeta l4proto tcp dnat to 10.244.2.40:80',
      '}',
      'add chain ip nanokube external-Z62NTLDZ-default/lb/tcp/ {',
      '\tjump mark-for-masquerade',
      '\tgoto service-Z62NTLDZ-default/lb/tcp/',
      '}',
      'add set ip nanokube cluster-ips { type ipv4_addr ; elements = { 10.96.0.40 } ; }',
      'add map ip nanokube service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; elements = { 10.96.0.40 . tcp . 8080 : goto service-Z62NTLDZ-default/lb/tcp/, 192.0.2.10 . tcp . 8080 : goto external-Z62NTLDZ-default/lb/tcp/, 198.51.100.7 . tcp . 8080 : goto external-Z62NTLDZ-default/lb/tcp/ } ; }',
      'add map ip nanokube service-nodeports { type inet_proto . inet_service : verdict ; elements = { tcp . 30040 : goto external-Z62NTLDZ-default/lb/tcp/ } ; }',
      'add set ip nanokube hairpin-endpoints { type ipv4_addr . ipv4_addr ; elements = { 10.244.2.40 . 10.244.2.40 } ; }',
    ],
  ],
  [
    'sessionAffinity ClientIP: endpoint chains with their affinity sets, checked first, updated when picked',
    [svc('sticky', { clusterIP: '10.96.0.50', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ name: 'http', port: 80 }] }), slice('sticky', http, [['10.244.1.50', 'node-a'], ['10.244.2.50', 'node-b']])],
    [
      'add set ip nanokube affinity-D6ZB4MLZ-default/sticky/tcp/http__10.244.1.50/8080 { type ipv4_addr ; flags dynamic,timeout ; timeout 60s ; }',
      'add set ip nanokube affinity-W3XQGCCR-default/sticky/tcp/http__10.244.2.50/8080 { type ipv4_addr ; flags dynamic,timeout ; timeout 60s ; }',
      'add chain ip nanokube endpoint-D6ZB4MLZ-default/sticky/tcp/http__10.244.1.50/8080 {',
      '\tupdate @affinity-D6ZB4MLZ-default/sticky/tcp/http__10.244.1.50/8080 { ip saddr }',
      '\tmeta l4proto tcp dnat to 10.244.1.50:8080',
      '}',
      'add chain ip nanokube endpoint-W3XQGCCR-default/sticky/tcp/http__10.244.2.50/8080 {',
      '\tupdate @affinity-W3XQGCCR-default/sticky/tcp/http__10.244.2.50/8080 { ip saddr }',
      '\tmeta l4proto tcp dnat to 10.244.2.50:8080',
      '}',
      'add chain ip nanokube service-H6U4RGLG-default/sticky/tcp/http {',
      '\tip saddr @affinity-D6ZB4MLZ-default/sticky/tcp/http__10.244.1.50/8080 goto endpoint-D6ZB4MLZ-default/sticky/tcp/http__10.244.1.50/8080',
      '\tip saddr @affinity-W3XQGCCR-default/sticky/tcp/http__10.244.2.50/8080 goto endpoint-W3XQGCCR-default/sticky/tcp/http__10.244.2.50/8080',
      '\tnumgen random mod 2 == 0 goto endpoint-D6ZB4MLZ-default/sticky/tcp/http__10.244.1.50/8080',
      '\tgoto endpoint-W3XQGCCR-default/sticky/tcp/http__10.244.2.50/8080',
      '}',
      'add set ip nanokube cluster-ips { type ipv4_addr ; elements = { 10.96.0.50 } ; }',
      'add map ip nanokube service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; elements = { 10.96.0.50 . tcp . 80 : goto service-H6U4RGLG-default/sticky/tcp/http } ; }',
      'add set ip nanokube hairpin-endpoints { type ipv4_addr . ipv4_addr ; elements = { 10.244.1.50 . 10.244.1.50, 10.244.2.50 . 10.244.2.50 } ; }',
    ],
  ],
  [
    'externalTrafficPolicy Local: pod and node traffic short-circuit to all endpoints, the rest to the local ones',
    [svc('etp', { type: 'NodePort', clusterIP: '10.96.0.60', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30060 }] }), slice('etp', http, [['10.244.1.60', 'node-a'], ['10.244.2.60', 'node-b']])],
    [
      'add chain ip nanokube service-376C4U7L-default/etp/tcp/http {',
      '\tnumgen random mod 2 == 0 meta l4proto tcp dnat to 10.244.1.60:8080',
      '\tmeta l4proto tcp dnat to 10.244.2.60:8080',
      '}',
      'add chain ip nanokube local-376C4U7L-default/etp/tcp/http {',
      '\tmeta l4proto tcp dnat to 10.244.1.60:8080',
      '}',
      'add chain ip nanokube external-376C4U7L-default/etp/tcp/http {',
      '\tip saddr 10.244.0.0/16 goto service-376C4U7L-default/etp/tcp/http comment "short-circuit pod traffic"',
      '\tfib saddr type local jump mark-for-masquerade comment "masquerade local traffic"',
      '\tfib saddr type local goto service-376C4U7L-default/etp/tcp/http comment "short-circuit local traffic"',
      '\tgoto local-376C4U7L-default/etp/tcp/http',
      '}',
      'add set ip nanokube cluster-ips { type ipv4_addr ; elements = { 10.96.0.60 } ; }',
      'add map ip nanokube service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; elements = { 10.96.0.60 . tcp . 80 : goto service-376C4U7L-default/etp/tcp/http } ; }',
      'add map ip nanokube service-nodeports { type inet_proto . inet_service : verdict ; elements = { tcp . 30060 : goto external-376C4U7L-default/etp/tcp/http } ; }',
      'add set ip nanokube hairpin-endpoints { type ipv4_addr . ipv4_addr ; elements = { 10.244.1.60 . 10.244.1.60, 10.244.2.60 . 10.244.2.60 } ; }',
    ],
  ],
  [
    'externalTrafficPolicy Local without a local endpoint: external traffic is dropped, pod traffic still served',
    [svc('etp-none', { type: 'NodePort', clusterIP: '10.96.0.61', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30061 }] }), slice('etp-none', http, [['10.244.2.61', 'node-b']])],
    [
      'add chain ip nanokube service-VSOUNKRV-default/etp-none/tcp/http {',
      '\tmeta l4proto tcp dnat to 10.244.2.61:8080',
      '}',
      'add chain ip nanokube external-VSOUNKRV-default/etp-none/tcp/http {',
      '\tip saddr 10.244.0.0/16 goto service-VSOUNKRV-default/etp-none/tcp/http comment "short-circuit pod traffic"',
      '\tfib saddr type local jump mark-for-masquerade comment "masquerade local traffic"',
      '\tfib saddr type local goto service-VSOUNKRV-default/etp-none/tcp/http comment "short-circuit local traffic"',
      '}',
      'add set ip nanokube cluster-ips { type ipv4_addr ; elements = { 10.96.0.61 } ; }',
      'add map ip nanokube service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; elements = { 10.96.0.61 . tcp . 80 : goto service-VSOUNKRV-default/etp-none/tcp/http } ; }',
      'add map ip nanokube service-nodeports { type inet_proto . inet_service : verdict ; elements = { tcp . 30061 : goto external-VSOUNKRV-default/etp-none/tcp/http } ; }',
      'add map ip nanokube no-endpoint-nodeports { type inet_proto . inet_service : verdict ; elements = { tcp . 30061 : drop } ; }',
      'add set ip nanokube hairpin-endpoints { type ipv4_addr . ipv4_addr ; elements = { 10.244.2.61 . 10.244.2.61 } ; }',
    ],
  ],
  [
    'internalTrafficPolicy Local: the cluster IP goes to the local chain, NodePort traffic to all endpoints',
    [svc('itp', { type: 'NodePort', clusterIP: '10.96.0.70', internalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30070 }] }), slice('itp', http, [['10.244.1.70', 'node-a'], ['10.244.2.70', 'node-b']])],
    [
      'add chain ip nanokube service-J53PG4IO-default/itp/tcp/http {',
      '\tnumgen random mod 2 == 0 meta l4proto tcp dnat to 10.244.1.70:8080',
      '\tmeta l4proto tcp dnat to 10.244.2.70:8080',
      '}',
      'add chain ip nanokube local-J53PG4IO-default/itp/tcp/http {',
      '\tmeta l4proto tcp dnat to 10.244.1.70:8080',
      '}',
      'add chain ip nanokube external-J53PG4IO-default/itp/tcp/http {',
      '\tjump mark-for-masquerade',
      '\tgoto service-J53PG4IO-default/itp/tcp/http',
      '}',
      'add set ip nanokube cluster-ips { type ipv4_addr ; elements = { 10.96.0.70 } ; }',
      'add map ip nanokube service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; elements = { 10.96.0.70 . tcp . 80 : goto local-J53PG4IO-default/itp/tcp/http } ; }',
      'add map ip nanokube service-nodeports { type inet_proto . inet_service : verdict ; elements = { tcp . 30070 : goto external-J53PG4IO-default/itp/tcp/http } ; }',
      'add set ip nanokube hairpin-endpoints { type ipv4_addr . ipv4_addr ; elements = { 10.244.1.70 . 10.244.1.70, 10.244.2.70 . 10.244.2.70 } ; }',
    ],
  ],
  [
    'internalTrafficPolicy Local without a local endpoint: dropped (endpoints exist elsewhere)',
    [svc('itp-none', { clusterIP: '10.96.0.71', internalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80 }] }), slice('itp-none', http, [['10.244.2.71', 'node-b']])],
    [
      'add set ip nanokube cluster-ips { type ipv4_addr ; elements = { 10.96.0.71 } ; }',
      'add map ip nanokube no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; elements = { 10.96.0.71 . tcp . 80 : drop } ; }',
    ],
  ],
  [
    'multi-port: one service chain per port',
    [svc('multi', { clusterIP: '10.96.0.80', ports: [{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }] }), slice('multi', [...http, { name: 'metrics', port: 9090, protocol: 'TCP' }], [['10.244.2.80', 'node-b']])],
    [
      'add chain ip nanokube service-WORRPFDT-default/multi/tcp/http {',
      '\tmeta l4proto tcp dnat to 10.244.2.80:8080',
      '}',
      'add chain ip nanokube service-CFUP4SXE-default/multi/tcp/metrics {',
      '\tmeta l4proto tcp dnat to 10.244.2.80:9090',
      '}',
      'add set ip nanokube cluster-ips { type ipv4_addr ; elements = { 10.96.0.80 } ; }',
      'add map ip nanokube service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; elements = { 10.96.0.80 . tcp . 80 : goto service-WORRPFDT-default/multi/tcp/http, 10.96.0.80 . tcp . 9090 : goto service-CFUP4SXE-default/multi/tcp/metrics } ; }',
      'add set ip nanokube hairpin-endpoints { type ipv4_addr . ipv4_addr ; elements = { 10.244.2.80 . 10.244.2.80 } ; }',
    ],
  ],
  [
    'UDP',
    [svc('dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }), slice('dns', [{ name: 'dns', port: 53, protocol: 'UDP' }], [['10.244.1.10', 'node-a']])],
    [
      'add chain ip nanokube service-Z3XHB2ZZ-default/dns/udp/dns {',
      '\tmeta l4proto udp dnat to 10.244.1.10:53',
      '}',
      'add set ip nanokube cluster-ips { type ipv4_addr ; elements = { 10.96.0.10 } ; }',
      'add map ip nanokube service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; elements = { 10.96.0.10 . udp . 53 : goto service-Z3XHB2ZZ-default/dns/udp/dns } ; }',
      'add set ip nanokube hairpin-endpoints { type ipv4_addr . ipv4_addr ; elements = { 10.244.1.10 . 10.244.1.10 } ; }',
    ],
  ],
  [
    'no usable endpoint: the cluster IP and the NodePort are refused at once',
    [svc('empty', { type: 'NodePort', clusterIP: '10.96.0.90', ports: [{ name: 'http', port: 80, nodePort: 30090 }] }), slice('empty', http, [['10.244.2.90', 'node-b', false]])],
    [
      'add set ip nanokube cluster-ips { type ipv4_addr ; elements = { 10.96.0.90 } ; }',
      'add map ip nanokube no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; elements = { 10.96.0.90 . tcp . 80 : goto reject-chain } ; }',
      'add map ip nanokube no-endpoint-nodeports { type inet_proto . inet_service : verdict ; elements = { tcp . 30090 : goto reject-chain } ; }',
    ],
  ],
  [
    'no ready endpoint: falls back to the serving-terminating one',
    [svc('term', { clusterIP: '10.96.0.95', ports: [{ name: 'http', port: 80 }] }), slice('term', http, [['10.244.2.95', 'node-b', false, true, true], ['10.244.2.96', 'node-b', false, false, false]])],
    [
      'add chain ip nanokube service-OMVXZBTM-default/term/tcp/http {',
      '\tmeta l4proto tcp dnat to 10.244.2.95:8080',
      '}',
      'add set ip nanokube cluster-ips { type ipv4_addr ; elements = { 10.96.0.95 } ; }',
      'add map ip nanokube service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; elements = { 10.96.0.95 . tcp . 80 : goto service-OMVXZBTM-default/term/tcp/http } ; }',
      'add set ip nanokube hairpin-endpoints { type ipv4_addr . ipv4_addr ; elements = { 10.244.2.95 . 10.244.2.95 } ; }',
    ],
  ],
];

describe('nftables ruleset', () => {
  it('names chains as kube-proxy does', () => {
    // The examples in kube-proxy's servicePortChainNameBase / servicePortEndpointChainNameBase comments.
    assert.equal(servicePortChainBase('ns1', 'svc1', 'tcp', 'p80'), 'ULMVA6XW-ns1/svc1/tcp/p80');
    assert.equal(endpointChainBase('ns1', 'svc1', 'tcp', 'p80', '10.180.0.1', 80), '5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
    assert.equal(servicePortChainBase('n'.repeat(63), 's'.repeat(63), 'sctp', 'p'.repeat(63)).length, 205);
    assert.ok(endpointChainBase('n'.repeat(63), 's'.repeat(63), 'sctp', 'p'.repeat(63), 'fd00::1', 65535).length <= 240);
  });

  for (const [title, objects, expected] of cases) {
    it(title, () => assert.deepEqual(added(objects), expected));
  }

  it('picks among 17 or more endpoints with one rule, as kube-proxy: a numgen map, or a numgen vmap with affinity', () => {
    const eps = Array.from({ length: 17 }, (_, i): [string, string] => [`10.244.3.${i + 1}`, 'node-b']);
    const service = `service-${servicePortChainBase('default', 'big', 'tcp', 'http')}`;
    const body = (lines: string[]) => lines.slice(lines.indexOf(`add chain ip nanokube ${service} {`) + 1, lines.indexOf('}', lines.indexOf(`add chain ip nanokube ${service} {`)));
    const plain = added([svc('big', { clusterIP: '10.96.0.99', ports: [{ name: 'http', port: 80 }] }), slice('big', http, eps)]);
    assert.deepEqual(body(plain), [`\tmeta l4proto tcp dnat ip to numgen random mod 17 map { ${eps.map(([ip], i) => `${i} : ${ip} . 8080`).join(', ')} }`]);
    const sticky = added([svc('big', { clusterIP: '10.96.0.99', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80 }] }), slice('big', http, eps)]);
    const chains = eps.map(([ip]) => `endpoint-${endpointChainBase('default', 'big', 'tcp', 'http', ip, 8080)}`);
    assert.deepEqual(body(sticky), [...chains.map((c) => `\tip saddr @affinity-${c.slice('endpoint-'.length)} goto ${c}`), `\tnumgen random mod 17 vmap { ${chains.map((c, i) => `${i} : goto ${c}`).join(', ')} }`]);
  });

  it('writes the whole table as one block after deleting the old one', () => {
    const state = proxyState([cases[0][1][0]], [slice('web', http, [['10.244.1.9', 'node-a']])], { ...node, nodePortAddresses: [] });
    const text = fullRuleset(state, { table: 'nk-test' });
    assert.equal(
      text,
      [
        'add table ip nk-test',
        'delete table ip nk-test',
        'table ip nk-test {',
        '\tcomment "rules for nanokube"',
        '\tchain filter-input {',
        '\t\ttype filter hook input priority -110; policy accept;',
        '\t\tct state new jump nodeport-endpoints-check',
        '\t\tct state new jump service-endpoints-check',
        '\t\tct state new jump cluster-ips-check',
        '\t}',
        '\tchain filter-forward {',
        '\t\ttype filter hook forward priority -110; policy accept;',
        '\t\tct state new jump service-endpoints-check',
        '\t\tct state new jump cluster-ips-check',
        '\t}',
        '\tchain filter-output {',
        '\t\ttype filter hook output priority -110; policy accept;',
        '\t\tct state new jump service-endpoints-check',
        '\t}',
        '\tchain filter-output-post-dnat {',
        '\t\ttype filter hook output priority -90; policy accept;',
        '\t\tct state new jump cluster-ips-check',
        '\t}',
        '\tchain nat-prerouting {',
        '\t\ttype nat hook prerouting priority -100; policy accept;',
        '\t\tjump services',
        '\t}',
        '\tchain nat-output {',
        '\t\ttype nat hook output priority -100; policy accept;',
        '\t\tjump services',
        '\t}',
        '\tchain nat-postrouting {',
        '\t\ttype nat hook postrouting priority 100; policy accept;',
        '\t\tjump masquerading',
        '\t}',
        '\tchain services {',
        '\t\tip daddr @cluster-ips ip saddr != 10.244.0.0/16 jump mark-for-masquerade',
        '\t\tip daddr . meta l4proto . th dport vmap @service-ips',
        '\t\tfib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports',
        '\t}',
        '\tchain service-endpoints-check {',
        '\t\tip daddr . meta l4proto . th dport vmap @no-endpoint-services',
        '\t}',
        '\tchain nodeport-endpoints-check {',
        '\t\tip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports',
        '\t}',
        '\tchain cluster-ips-check {',
        '\t\tip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"',
        '\t\tip daddr 10.96.0.0/12 reject comment "Reject traffic to unallocated ClusterIPs"',
        '\t}',
        '\tchain mark-for-masquerade {',
        '\t\tmark set mark or 0x4000',
        '\t}',
        '\tchain masquerading {',
        '\t\tct status dnat ip saddr . ip daddr @hairpin-endpoints jump mark-for-masquerade',
        '\t\tmark and 0x4000 == 0 return',
        '\t\tmark set mark xor 0x4000',
        '\t\tmasquerade fully-random',
        '\t}',
        '\tchain reject-chain {',
        '\t\tmeta l4proto tcp reject with tcp reset',
        '\t\treject',
        '\t}',
        '\tset cluster-ips {',
        '\t\ttype ipv4_addr',
        '\t\tcomment "Active ClusterIPs"',
        '\t\telements = {',
        '\t\t\t10.96.0.20',
        '\t\t}',
        '\t}',
        '\tmap no-endpoint-services {',
        '\t\ttype ipv4_addr . inet_proto . inet_service : verdict',
        '\t\tcomment "vmap to drop or reject packets to services with no endpoints"',
        '\t}',
        '\tmap no-endpoint-nodeports {',
        '\t\ttype inet_proto . inet_service : verdict',
        '\t\tcomment "vmap to drop or reject packets to service nodeports with no endpoints"',
        '\t}',
        '\tmap service-ips {',
        '\t\ttype ipv4_addr . inet_proto . inet_service : verdict',
        '\t\tcomment "ClusterIP, ExternalIP and LoadBalancer IP traffic"',
        '\t\telements = {',
        '\t\t\t10.96.0.20 . tcp . 80 : goto service-SUSTUHLJ-default/web/tcp/http',
        '\t\t}',
        '\t}',
        '\tmap service-nodeports {',
        '\t\ttype inet_proto . inet_service : verdict',
        '\t\tcomment "NodePort traffic"',
        '\t}',
        '\tset hairpin-endpoints {',
        '\t\ttype ipv4_addr . ipv4_addr',
        '\t\tcomment "Endpoints masqueraded when they reach themselves through a service"',
        '\t\telements = {',
        '\t\t\t10.244.1.9 . 10.244.1.9',
        '\t\t}',
        '\t}',
        '\tchain service-SUSTUHLJ-default/web/tcp/http {',
        '\t\tmeta l4proto tcp dnat to 10.244.1.9:8080',
        '\t}',
        '}',
      ].join('\n') + '\n',
    );
    assert.equal(countRules(text), 25);
    assert.equal(ruleCount(state, { table: 'nk-test' }), 25);
  });

  it('counts the rules of command texts too', () => {
    assert.equal(countRules(added(cases[0][1]).join('\n')), 2);
    assert.equal(countRules(added(cases[3][1]).join('\n')), 8);
  });

  it('compares every field of a service port', () => {
    const [full] = proxyState([cases[6][1][0]], [cases[6][1][1]], node).services;
    const sample: ProxyServicePort = { ...full, externalIPs: ['192.0.2.10'], loadBalancerIPs: ['198.51.100.7'], affinityTimeoutSeconds: 60, localEndpoints: full.clusterEndpoints };
    for (const k of Object.keys(sample) as (keyof ProxyServicePort)[]) {
      const v = sample[k];
      const changed = Array.isArray(v) ? (v.length ? v.slice(1) : ['x']) : typeof v === 'boolean' ? !v : typeof v === 'number' ? v + 1 : `${String(v)}x`;
      assert.equal(samePort(sample, { ...sample, [k]: changed } as ProxyServicePort), false, k);
    }
    assert.equal(samePort(sample, structuredClone(sample)), true);
  });

  it('writes text the real nft accepts (nft -c in a throwaway namespace)', { skip: process.getuid?.() !== 0 ? 'needs root for unshare -n' : false }, async () => {
    const state = proxyState(
      cases.map((c) => c[1][0]),
      cases.map((c) => c[1][1]),
      node,
    );
    await realKernel().run(['unshare', '-n', 'nft', '-c', '-f', '-'], { input: fullRuleset(state) });
    const prev = proxyState([cases[0][1][0]], [cases[0][1][1]], node);
    await realKernel().run(['unshare', '-n', 'sh', '-c', 'nft -f - <<"EOF"\n' + fullRuleset(prev) + 'EOF\nnft -c -f -'], { input: incrementalRuleset(prev, state) });
  });
});

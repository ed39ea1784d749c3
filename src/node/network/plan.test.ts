/**
 * Address plan under test (run id "abc123", defaults):
 *   host link nk-abc123-h 172.30.0.1/24; switch nk-abc123-net
 *   node-0 nk-abc123-n0 172.30.0.10, pods 10.244.0.0/24 gw 10.244.0.1
 *   node-1 nk-abc123-n1 172.30.0.11, pods 10.244.1.0/24 gw 10.244.1.1
 *   services 10.96.0.0/12
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IFNAMSIZ, bridgeMac, execIn, ipIn, isolatedPlan, makeNodeNetwork, masqueradeRuleset, newRunId, nodeBridgeBatch, podCidrFor } from './plan.ts';

describe('isolatedPlan', () => {
  it('lays out names and addresses', () => {
    const p = isolatedPlan({ runId: 'abc123', nodes: 2 });
    assert.equal(p.switchNetns, 'nk-abc123-net');
    assert.equal(p.hostLink, 'nk-abc123-h');
    assert.equal(p.hostIP, '172.30.0.1');
    assert.equal(p.nodeNetwork, '172.30.0.0/24');
    assert.deepEqual(
      p.nodes.map((n) => [n.name, n.netns, n.nodeIP, n.podCidr, n.gateway, n.switchPort]),
      [
        ['node-0', 'nk-abc123-n0', '172.30.0.10', '10.244.0.0/24', '10.244.0.1', 'n0'],
        ['node-1', 'nk-abc123-n1', '172.30.0.11', '10.244.1.0/24', '10.244.1.1', 'n1'],
      ],
    );
  });

  it('takes the node network, CIDRs and names as options', () => {
    const p = isolatedPlan({ runId: 'x', nodes: 1, nodeNetwork: '172.30.7.0/24', clusterCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', nodeNames: ['worker'] });
    assert.equal(p.hostIP, '172.30.7.1');
    assert.deepEqual([p.nodes[0].name, p.nodes[0].nodeIP, p.nodes[0].podCidr, p.serviceCidr], ['worker', '172.30.7.10', '10.42.0.0/24', '10.43.0.0/16']);
  });

  it('keeps every interface name within 15 bytes with the longest run id', () => {
    const p = isolatedPlan({ runId: 'abcdefgh', nodes: 64 });
    for (const name of [p.hostLink, p.hostPeer, p.switchBridge, p.bridge, ...p.nodes.map((n) => n.switchPort)]) assert.ok(name.length <= IFNAMSIZ, name);
  });

  it('rejects bad run ids, node counts and overlapping networks', () => {
    for (const runId of ['', 'ABC', 'a-b', 'abcdefghi']) assert.throws(() => isolatedPlan({ runId, nodes: 1 }), { name: 'NetworkError', code: 'INVALID' });
    assert.throws(() => isolatedPlan({ runId: 'a', nodes: 0 }), { code: 'INVALID' });
    assert.throws(() => isolatedPlan({ runId: 'a', nodes: 250 }), { code: 'INVALID' });
    assert.throws(() => isolatedPlan({ runId: 'a', nodes: 1, nodeNetwork: '10.244.9.0/24' }), { code: 'INVALID' });
    assert.throws(() => isolatedPlan({ runId: 'a', nodes: 1, nodeNetwork: 'nope' }), { code: 'INVALID' });
    assert.throws(() => isolatedPlan({ runId: 'a', nodes: 2, nodeNames: ['x', 'x'] }), { code: 'INVALID' });
  });

  it('makes short random run ids that pass its own check', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newRunId()));
    assert.ok(ids.size > 45);
    for (const id of ids) isolatedPlan({ runId: id, nodes: 1 });
  });
});

describe('podCidrFor', () => {
  it('hands out the i-th /24 of the cluster CIDR', () => {
    assert.equal(podCidrFor('10.244.0.0/16', 0), '10.244.0.0/24');
    assert.equal(podCidrFor('10.244.0.0/16', 255), '10.244.255.0/24');
    assert.throws(() => podCidrFor('10.244.0.0/16', 256), { code: 'INVALID' });
  });
});

describe('command builders', () => {
  it('prefixes ip and host commands with the namespace, or not at all for the host', () => {
    assert.deepEqual(ipIn('nk-a-n0', 'link', 'show'), ['ip', '-n', 'nk-a-n0', 'link', 'show']);
    assert.deepEqual(ipIn('', 'link', 'show'), ['ip', 'link', 'show']);
    assert.deepEqual(execIn('nk-a-n0', 'curl', 'x'), ['ip', 'netns', 'exec', 'nk-a-n0', 'curl', 'x']);
    assert.deepEqual(execIn('', 'curl', 'x'), ['curl', 'x']);
    assert.deepEqual(makeNodeNetwork({ nodeName: 'n', nodeIP: '1.2.3.4', podCidr: '10.244.0.0/24', gateway: '10.244.0.1', netns: '' }).execPrefix(), []);
  });

  it('gives the bridge a fixed MAC derived from the gateway', () => {
    assert.equal(bridgeMac('10.244.0.1'), '0a:58:0a:f4:00:01');
    assert.equal(bridgeMac('10.244.255.1'), '0a:58:0a:f4:ff:01');
  });

  it('builds the node bridge and its routes', () => {
    assert.deepEqual(
      nodeBridgeBatch({ bridge: 'nkbr0', mtu: 1500, podCidr: '10.244.0.0/24', gateway: '10.244.0.1', serviceCidr: '10.96.0.0/12', peers: [{ podCidr: '10.244.1.0/24', nodeIP: '172.30.0.11' }] }),
      [
        'link add nkbr0 address 0a:58:0a:f4:00:01 mtu 1500 type bridge',
        'addr add 10.244.0.1/24 dev nkbr0',
        'link set nkbr0 up',
        'route add local 10.96.0.0/12 dev lo src 10.244.0.1',
        'route add 10.244.1.0/24 via 172.30.0.11',
      ],
    );
  });

  it('writes masquerade rulesets for one destination or for everything off-cluster', () => {
    assert.equal(
      masqueradeRuleset({ table: 'nanokube-node', podCidr: '10.244.0.0/24', to: '172.30.0.1' }),
      'table ip nanokube-node {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tip saddr 10.244.0.0/24 ip daddr 172.30.0.1 masquerade\n\t}\n}\n',
    );
    assert.match(masqueradeRuleset({ table: 't', podCidr: '10.244.0.0/16', clusterCidr: '10.244.0.0/16', bridge: 'nkbr0' }), /\t\tip saddr 10\.244\.0\.0\/16 ip daddr != 10\.244\.0\.0\/16 oifname != "nkbr0" masquerade\n/);
  });
});

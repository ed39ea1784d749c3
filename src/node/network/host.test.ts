/**
 * Host mode with the fake kernel only (tests never touch the host): node IP
 * 192.0.2.50, pods 10.244.0.0/24 behind nkbr0 10.244.0.1, services
 * 10.96.0.0/12, one peer node 192.0.2.51 with pods 10.244.1.0/24.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fakeKernel, type FakeResponder } from '../kernel.ts';
import { cleanHostNetwork, detectNodeIP, setupHostNetwork } from './host.ts';

const dir = mkdtempSync(join(tmpdir(), 'nk-host-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const base = () => ({ nodeName: 'me', nodeIP: '192.0.2.50', podCidr: '10.244.0.0/24', stateFile: join(dir, `host-${n++}.json`) });
const forwardWas = (v: string): FakeResponder => (argv) => (argv[0] === 'cat' ? { stdout: `${v}\n` } : undefined);

describe('host mode', () => {
  it('adds only the bridge and routes by default: no forwarding, no NAT', async () => {
    const k = fakeKernel();
    const o = base();
    const net = await setupHostNetwork(k, { ...o, peers: [{ podCidr: '10.244.1.0/24', nodeIP: '192.0.2.51' }] });
    assert.deepEqual([net.origin, net.netns, net.gateway, net.execPrefix()], ['created', '', '10.244.0.1', []]);
    assert.deepEqual(k.lines(), ['ip -batch -']);
    assert.equal(
      k.calls[0].input,
      'link add nkbr0 address 0a:58:0a:f4:00:01 mtu 1500 type bridge\naddr add 10.244.0.1/24 dev nkbr0\nlink set nkbr0 up\nroute add local 10.96.0.0/12 dev lo src 10.244.0.1\nroute add 10.244.1.0/24 via 192.0.2.51\n',
    );
    k.calls.length = 0;
    await net.teardown();
    assert.deepEqual(k.lines(), ['ip route del 10.244.1.0/24 via 192.0.2.51', 'ip route del local 10.96.0.0/12 dev lo table local', 'ip link del nkbr0']);
    assert.equal(existsSync(o.stateFile), false);
  });

  it('enables forwarding and masquerade only when asked, and restores forwarding', async () => {
    const k = fakeKernel(forwardWas('0'));
    const o = base();
    const net = await setupHostNetwork(k, { ...o, enableForwarding: true, masquerade: true });
    assert.deepEqual(k.lines(), ['cat /proc/sys/net/ipv4/ip_forward', 'ip -batch -', 'tee /proc/sys/net/ipv4/ip_forward', 'nft -f -']);
    assert.equal(k.calls[2].input, '1\n');
    assert.match(k.calls[3].input!, /^table ip nanokube-host \{\n.*\t\tip saddr 10\.244\.0\.0\/16 ip daddr != 10\.244\.0\.0\/16 oifname != "nkbr0" masquerade\n/s);
    assert.deepEqual(JSON.parse(readFileSync(o.stateFile, 'utf8')), { bridge: 'nkbr0', gateway: '10.244.0.1', serviceCidr: '10.96.0.0/12', peers: [], forwardingBefore: '0', masqueradeTable: 'nanokube-host' });
    k.calls.length = 0;
    await net.teardown();
    assert.deepEqual(k.lines(), [
      'nft delete table ip nanokube-host',
      'tee /proc/sys/net/ipv4/ip_forward',
      'ip route del local 10.96.0.0/12 dev lo table local',
      'ip link del nkbr0',
    ]);
    assert.equal(k.calls[1].input, '0\n');
  });

  it('leaves forwarding alone when it was already on', async () => {
    const k = fakeKernel(forwardWas('1'));
    const net = await setupHostNetwork(k, { ...base(), enableForwarding: true });
    assert.deepEqual(k.lines(), ['cat /proc/sys/net/ipv4/ip_forward', 'ip -batch -']);
    k.calls.length = 0;
    await net.teardown();
    assert.ok(!k.lines().some((l) => l.startsWith('tee')));
  });

  it('adopts its bridge after an agent restart, so running pods keep their network', async () => {
    const o = base();
    await setupHostNetwork(fakeKernel(), o);
    const k = fakeKernel((argv) => (argv.join(' ') === 'ip -j -4 addr show dev nkbr0' ? { stdout: '[{"ifname":"nkbr0","addr_info":[{"local":"10.244.0.1"}]}]' } : undefined));
    const net = await setupHostNetwork(k, o);
    assert.equal(net.origin, 'adopted');
    assert.deepEqual(k.lines(), ['ip -j -4 addr show dev nkbr0']);
  });

  it('undoes what a crashed run recorded before setting up again', async () => {
    const o = base();
    await setupHostNetwork(fakeKernel(forwardWas('0')), { ...o, enableForwarding: true });
    const k = fakeKernel((argv) => (argv.includes('-j') ? { code: 1 } : undefined));
    await setupHostNetwork(k, o);
    assert.deepEqual(k.lines(), [
      'ip -j -4 addr show dev nkbr0',
      'tee /proc/sys/net/ipv4/ip_forward',
      'ip route del local 10.96.0.0/12 dev lo table local',
      'ip link del nkbr0',
      'ip -batch -',
    ]);
    assert.equal(await cleanHostNetwork(fakeKernel(), join(dir, 'none.json')), false);
  });

  it('undoes a failed setup and rejects a bad pod CIDR', async () => {
    const o = base();
    const k = fakeKernel((argv) => (argv[0] === 'ip' && argv[1] === '-batch' ? { code: 2, stderr: 'RTNETLINK answers: File exists' } : undefined));
    await assert.rejects(setupHostNetwork(k, o), { name: 'KernelError' });
    assert.deepEqual(k.lines().slice(-2), ['ip route del local 10.96.0.0/12 dev lo table local', 'ip link del nkbr0']);
    assert.equal(existsSync(o.stateFile), false);
    await assert.rejects(setupHostNetwork(fakeKernel(), { ...base(), podCidr: 'bad' }), { code: 'INVALID' });
  });
});

describe('detectNodeIP', () => {
  it('takes the first external IPv4 of an interface nanokube did not make', () => {
    const lo = { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '', internal: true, cidr: '127.0.0.1/8' } as const;
    const v4 = (address: string) => ({ address, netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: `${address}/24` }) as const;
    assert.equal(detectNodeIP({ lo: [lo], nkbr0: [v4('10.244.0.1')], 'nk-abc-h': [v4('172.30.0.1')], eth0: [v4('192.0.2.2')] }), '192.0.2.2');
    assert.equal(detectNodeIP({ lo: [lo] }), undefined);
  });
});

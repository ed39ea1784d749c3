/**
 * Address plan (run id "abc123", defaults): host link nk-abc123-h 172.30.0.1/24,
 * switch nk-abc123-net (br0), node-0 nk-abc123-n0 172.30.0.10 with pods
 * 10.244.0.0/24, node-1 nk-abc123-n1 172.30.0.11 with pods 10.244.1.0/24,
 * services 10.96.0.0/12.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fakeKernel, type FakeResponder } from '../kernel.ts';
import { adoptOrClean, createIsolatedNetwork } from './isolated.ts';
import { isolatedPlan } from './plan.ts';

const dir = mkdtempSync(join(tmpdir(), 'nk-isolated-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const empty: FakeResponder = (argv) => (argv.includes('-j') ? { stdout: '[]' } : undefined);

const setup = [
  'ip -j netns list',
  'ip -j link show',
  'ip netns add nk-abc123-net',
  'ip netns add nk-abc123-n0',
  'ip netns add nk-abc123-n1',
  'ip link add nk-abc123-h mtu 1500 type veth peer name host netns nk-abc123-net',
  'ip -batch -',
  'ip -n nk-abc123-net -batch -',
  'ip netns exec nk-abc123-n0 tee /proc/sys/net/ipv4/ip_forward',
  'ip netns exec nk-abc123-n0 tee /proc/sys/net/bridge/bridge-nf-call-iptables',
  'ip -n nk-abc123-n0 -batch -',
  'ip netns exec nk-abc123-n0 nft -f -',
  'ip netns exec nk-abc123-n1 tee /proc/sys/net/ipv4/ip_forward',
  'ip netns exec nk-abc123-n1 tee /proc/sys/net/bridge/bridge-nf-call-iptables',
  'ip -n nk-abc123-n1 -batch -',
  'ip netns exec nk-abc123-n1 nft -f -',
];

describe('createIsolatedNetwork', () => {
  it('runs the exact setup commands', async () => {
    const k = fakeKernel(empty);
    const net = await createIsolatedNetwork(k, { runId: 'abc123', nodes: 2 });
    assert.equal(net.origin, 'created');
    assert.deepEqual(k.lines(), setup);
    const input = (line: string) => k.calls.find((c) => c.argv.join(' ') === line)!.input;
    assert.equal(input('ip -batch -'), 'addr add 172.30.0.1/24 dev nk-abc123-h\nlink set nk-abc123-h up\n');
    assert.equal(
      input('ip -n nk-abc123-net -batch -'),
      [
        'link set lo up',
        'link add br0 mtu 1500 type bridge',
        'link set br0 up',
        'link set host master br0',
        'link set host up',
        'link add n0 mtu 1500 type veth peer name eth0 netns nk-abc123-n0',
        'link set n0 master br0',
        'link set n0 up',
        'link add n1 mtu 1500 type veth peer name eth0 netns nk-abc123-n1',
        'link set n1 master br0',
        'link set n1 up',
        '',
      ].join('\n'),
    );
    assert.equal(input('ip netns exec nk-abc123-n0 tee /proc/sys/net/ipv4/ip_forward'), '1\n');
    assert.equal(
      input('ip -n nk-abc123-n1 -batch -'),
      [
        'link set lo up',
        'addr add 172.30.0.11/24 dev eth0',
        'link set eth0 up',
        'link add nkbr0 address 0a:58:0a:f4:01:01 mtu 1500 type bridge',
        'addr add 10.244.1.1/24 dev nkbr0',
        'link set nkbr0 up',
        'route add local 10.96.0.0/12 dev lo src 10.244.1.1',
        'route add 10.244.0.0/24 via 172.30.0.10',
        '',
      ].join('\n'),
    );
    assert.match(input('ip netns exec nk-abc123-n0 nft -f -')!, /\t\tip saddr 10\.244\.0\.0\/24 ip daddr 172\.30\.0\.1 masquerade\n/);
    assert.deepEqual(
      net.nodes.map((n) => [n.nodeName, n.nodeIP, n.podCidr, n.gateway, n.netns, n.execPrefix().join(' ')]),
      [
        ['node-0', '172.30.0.10', '10.244.0.0/24', '10.244.0.1', 'nk-abc123-n0', 'ip netns exec nk-abc123-n0'],
        ['node-1', '172.30.0.11', '10.244.1.0/24', '10.244.1.1', 'nk-abc123-n1', 'ip netns exec nk-abc123-n1'],
      ],
    );
  });

  it('writes the state file for node exec and removes everything on teardown', async () => {
    const stateFile = join(dir, 'network.json');
    const names = { netns: [] as string[], links: [] as string[] };
    const k = fakeKernel((argv) => {
      if (argv.join(' ') === 'ip -j netns list') return { stdout: JSON.stringify(names.netns.map((name) => ({ name }))) };
      if (argv.join(' ') === 'ip -j link show') return { stdout: JSON.stringify(names.links.map((ifname) => ({ ifname }))) };
      return empty(argv);
    });
    const net = await createIsolatedNetwork(k, { runId: 'abc123', nodes: 1, stateFile });
    assert.deepEqual(JSON.parse(readFileSync(stateFile, 'utf8')), {
      mode: 'isolated',
      runId: 'abc123',
      hostIP: '172.30.0.1',
      nodes: [{ name: 'node-0', netns: 'nk-abc123-n0', nodeIP: '172.30.0.10', podCidr: '10.244.0.0/24', gateway: '10.244.0.1' }],
    });
    k.calls.length = 0;
    names.netns = ['nk-abc123-n0', 'nk-abc123-net', 'nk-other-n0', 'nk-0123abcd'];
    names.links = ['lo', 'eth0', 'nk-abc123-h', 'nk-abc1234-h'];
    await net.teardown();
    assert.deepEqual(k.lines(), ['ip -j netns list', 'ip -j link show', 'ip link del nk-abc123-h', 'ip netns del nk-abc123-n0', 'ip netns del nk-abc123-net']);
    assert.equal(existsSync(stateFile), false);
  });

  it('removes what it made when a step fails, and throws', async () => {
    let made = false;
    const k = fakeKernel((argv) => {
      if (argv.join(' ') === 'ip -j netns list') return { stdout: made ? '[{"name":"nk-abc123-net"},{"name":"nk-abc123-n0"}]' : '[]' };
      if (argv.join(' ') === 'ip -n nk-abc123-n0 -batch -') return { code: 1, stderr: 'Command failed -:2' };
      if (argv[2] === 'add') made = true;
      return empty(argv);
    });
    await assert.rejects(createIsolatedNetwork(k, { runId: 'abc123', nodes: 1 }), { name: 'KernelError', stderr: 'Command failed -:2' });
    assert.deepEqual(k.lines().slice(-4), ['ip -j netns list', 'ip -j link show', 'ip netns del nk-abc123-n0', 'ip netns del nk-abc123-net']);
  });
});

describe('adoptOrClean', () => {
  const plan = isolatedPlan({ runId: 'abc123', nodes: 1 });
  const addrs = (ifs: [string, string][]) => ({ stdout: JSON.stringify(ifs.map(([ifname, local]) => ({ ifname, addr_info: [{ local }] }))) });
  const world = (nodeAddrs: [string, string][]): FakeResponder =>
    (argv) => {
      const line = argv.join(' ');
      if (line === 'ip -j netns list') return { stdout: '[{"name":"nk-abc123-net"},{"name":"nk-abc123-n0"}]' };
      if (line === 'ip -j link show') return { stdout: '[{"ifname":"nk-abc123-h"}]' };
      if (line === 'ip -j -4 addr show dev nk-abc123-h') return addrs([['nk-abc123-h', '172.30.0.1']]);
      if (line === 'ip -n nk-abc123-n0 -j -4 addr show') return addrs(nodeAddrs);
      return undefined;
    };

  it('adopts an intact network of the same plan without changing anything', async () => {
    const k = fakeKernel(world([['eth0', '172.30.0.10'], ['nkbr0', '10.244.0.1']]));
    assert.equal(await adoptOrClean(k, 'abc123', { plan }), 'adopted');
    assert.deepEqual(k.lines(), ['ip -j netns list', 'ip -j link show', 'ip -j -4 addr show dev nk-abc123-h', 'ip -n nk-abc123-n0 -j -4 addr show']);
  });

  it('cleans a broken one (here: the node bridge lost its address)', async () => {
    const k = fakeKernel(world([['eth0', '172.30.0.10']]));
    assert.equal(await adoptOrClean(k, 'abc123', { plan }), 'cleaned');
    assert.deepEqual(k.lines().slice(4), ['ip link del nk-abc123-h', 'ip netns del nk-abc123-n0', 'ip netns del nk-abc123-net']);
  });

  it('ends the pods of the run by their pause tag when cleaning, and only those', async () => {
    const etcNetnsDir = join(dir, 'etc-netns');
    mkdirSync(join(etcNetnsDir, 'nk-0123abcd'), { recursive: true });
    const k = fakeKernel(world([]));
    await k.daemons.start(['ip', 'netns', 'exec', 'nk-0123abcd', 'bash', '-c', 'x', 'nanokube-pause:nk-abc123-n0:nk-0123abcd', 'h'], { readyComm: 'sleep' });
    await k.daemons.start(['ip', 'netns', 'exec', 'nk-89abcdef', 'bash', '-c', 'x', 'nanokube-pause:nk-abc1234-n0:nk-89abcdef', 'h'], { readyComm: 'sleep' });
    k.calls.length = 0;
    assert.equal(await adoptOrClean(k, 'abc123', { daemons: k.daemons, etcNetnsDir }), 'cleaned');
    assert.deepEqual(k.lines(), [
      'ip -j netns list',
      'ip -j link show',
      '<kill> 1000',
      'ip netns del nk-0123abcd',
      'ip link del nk-abc123-h',
      'ip netns del nk-abc123-n0',
      'ip netns del nk-abc123-net',
    ]);
    assert.equal(existsSync(join(etcNetnsDir, 'nk-0123abcd')), false);
    assert.deepEqual([...k.daemons.running.keys()], [1001]);
  });

  it('finds nothing of another run, and refuses a bad run id', async () => {
    assert.equal(await adoptOrClean(fakeKernel(world([])), 'abc12'), 'absent');
    await assert.rejects(adoptOrClean(fakeKernel(), 'a b'), { code: 'INVALID' });
  });
});

/**
 * Address plan: node-0 in namespace nk-abc123-n0, node IP 172.30.0.10, pods
 * 10.244.0.0/24 behind nkbr0 10.244.0.1; pod uids 0123abcd-... and
 * 89abcdef-... get 10.244.0.2 and 10.244.0.3. Host mode: the same node with
 * netns ''.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fakeKernel, type FakeResponder } from '../kernel.ts';
import type { SandboxSpec } from '../types.ts';
import { makeNodeNetwork } from './plan.ts';
import { openSandboxManager, PAUSE_SCRIPT, sandboxId } from './sandbox.ts';

const root = mkdtempSync(join(tmpdir(), 'nk-sandbox-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const node = makeNodeNetwork({ nodeName: 'node-0', nodeIP: '172.30.0.10', podCidr: '10.244.0.0/24', gateway: '10.244.0.1', netns: 'nk-abc123-n0' });
const hostNode = makeNodeNetwork({ ...node, netns: '' });
const dns = { nameservers: ['10.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] };
const UID_A = '0123abcd-0000-4000-8000-000000000001';
const UID_B = '89abcdef-0000-4000-8000-000000000002';

function spec(uid: string, name: string, extra: Partial<SandboxSpec> = {}): SandboxSpec {
  return { namespace: 'default', name, uid, hostname: name, hostAliases: [], dns, hostNetwork: false, ...extra };
}

async function open(responder?: FakeResponder, dirs = { dataDir: join(root, `d${n}`), etcNetnsDir: join(root, `etc${n++}`) }, nodeNet = node) {
  const k = fakeKernel(responder);
  const m = await openSandboxManager({ kernel: k, daemons: k.daemons, node: nodeNet, ...dirs });
  return { k, m, ...dirs };
}

describe('sandbox manager', () => {
  it('creates a sandbox with the exact commands, files and pause process', async () => {
    const { k, m, dataDir, etcNetnsDir } = await open();
    const sb = await m.ensure(spec(UID_A, 'web-0', { hostAliases: [{ ip: '10.1.2.3', hostnames: ['db'] }] }));
    assert.deepEqual(k.lines(), [
      'ip netns add nk-0123abcd',
      // The pause process starts while the links are made.
      `<start> ip netns exec nk-0123abcd unshare --uts bash -c ${PAUSE_SCRIPT} nanokube-pause:nk-abc123-n0:nk-0123abcd web-0`,
      'ip -n nk-abc123-n0 -batch -',
      'ip -n nk-0123abcd -batch -',
    ]);
    assert.equal(
      k.calls[2].input,
      'link add nkv0123abcd mtu 1500 type veth peer name eth0 mtu 1500 netns nk-0123abcd\nlink set nkv0123abcd master nkbr0\nlink set nkv0123abcd type bridge_slave hairpin on\nlink set nkv0123abcd up\n',
    );
    assert.equal(k.calls[3].input, 'link set lo up\naddr add 10.244.0.2/24 dev eth0\nlink set eth0 up\nroute add default via 10.244.0.1 dev eth0\n');
    assert.equal(sb.id, '0123abcd');
    assert.equal(sb.podIP, '10.244.0.2');
    assert.equal(sb.pausePid, 1000);
    assert.equal(sb.dir, join(dataDir, 'pods', UID_A));
    assert.deepEqual(sb.enterPrefix(), ['nsenter', '--target', '1000', '--net', '--uts', '--mount', '--']);
    assert.equal(readFileSync(join(etcNetnsDir, 'nk-0123abcd/resolv.conf'), 'utf8'), 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    assert.ok(readFileSync(join(etcNetnsDir, 'nk-0123abcd/hosts'), 'utf8').endsWith('\n10.244.0.2\tweb-0\n\n# Entries added by HostAliases.\n10.1.2.3\tdb\n'));
    assert.deepEqual(await m.list(), [{ uid: UID_A, podIP: '10.244.0.2' }]);
  });

  it('leaves resolv.conf out when the pod has no DNS config (the node one shows)', async () => {
    const { m, etcNetnsDir } = await open();
    await m.ensure(spec(UID_A, 'web-0', { dns: undefined }));
    assert.equal(existsSync(join(etcNetnsDir, 'nk-0123abcd/resolv.conf')), false);
    assert.equal(existsSync(join(etcNetnsDir, 'nk-0123abcd/hosts')), true);
  });

  it('removes a sandbox in reverse order and releases its IP', async () => {
    const { k, m, etcNetnsDir, dataDir } = await open();
    await m.ensure(spec(UID_A, 'web-0'));
    k.calls.length = 0;
    await m.remove(UID_A);
    assert.deepEqual(k.lines(), ['<kill> 1000', 'ip -n nk-abc123-n0 link del nkv0123abcd', 'ip netns del nk-0123abcd']);
    assert.equal(existsSync(join(etcNetnsDir, 'nk-0123abcd')), false);
    assert.equal(existsSync(join(dataDir, 'pods', UID_A)), false);
    assert.deepEqual(await m.list(), []);
    assert.deepEqual(JSON.parse(readFileSync(join(dataDir, 'ipam.json'), 'utf8')).allocations, {});
    k.calls.length = 0;
    await m.remove(UID_A);
    assert.deepEqual(k.lines(), []);
  });

  it('adopts running sandboxes after a restart: same IPs, same pause, no commands', async () => {
    const first = await open();
    const a = await first.m.ensure(spec(UID_A, 'a'));
    await first.m.ensure(spec(UID_B, 'b'));
    // A new manager on the same data dir with the same (still running) daemons.
    const m2 = await openSandboxManager({ kernel: first.k, daemons: first.k.daemons, node, dataDir: first.dataDir, etcNetnsDir: first.etcNetnsDir });
    first.k.calls.length = 0;
    assert.deepEqual(await m2.list(), [
      { uid: UID_A, podIP: '10.244.0.2' },
      { uid: UID_B, podIP: '10.244.0.3' },
    ]);
    const again = await m2.ensure(spec(UID_A, 'a'));
    assert.deepEqual([again.podIP, again.pausePid], [a.podIP, a.pausePid]);
    assert.deepEqual(first.k.lines(), []);
  });

  it('rebuilds a sandbox whose pause process died, keeping its IP', async () => {
    const { k, m } = await open();
    const a = await m.ensure(spec(UID_A, 'a'));
    k.daemons.running.delete(a.pausePid);
    k.calls.length = 0;
    const b = await m.ensure(spec(UID_A, 'a'));
    assert.equal(b.podIP, a.podIP);
    assert.notEqual(b.pausePid, a.pausePid);
    // No kill: the old PID no longer holds the netns, so it may belong to someone else now.
    assert.deepEqual(k.lines().slice(0, 3), ['ip -n nk-abc123-n0 link del nkv0123abcd', 'ip netns del nk-0123abcd', 'ip netns add nk-0123abcd']);
  });

  it('undoes a half-made sandbox and releases the IP when a step fails', async () => {
    const { k, m } = await open((argv) => (argv.join(' ') === 'ip -n nk-0123abcd -batch -' ? { code: 2, stderr: 'RTNETLINK answers: File exists' } : undefined));
    await assert.rejects(m.ensure(spec(UID_A, 'a')), { name: 'KernelError' });
    assert.deepEqual(k.lines().slice(4), ['<kill> 1000', 'ip -n nk-abc123-n0 link del nkv0123abcd', 'ip netns del nk-0123abcd']);
    assert.deepEqual(await m.list(), []);
    const { m: m2 } = await open((argv) => (argv[0] === '<start>' ? { code: 1, stderr: 'unshare: failed' } : undefined));
    await assert.rejects(m2.ensure(spec(UID_A, 'a')), { name: 'NetworkError', code: 'PAUSE_FAILED', message: /^pod default\/a: pause process: .*unshare: failed/ });
    assert.deepEqual(await m2.list(), []);
  });

  it('does not delete a netns it could not create, and avoids a name already in use', async () => {
    const { k, m } = await open((argv) => (argv.join(' ') === 'ip netns add nk-0123abcd' ? { code: 1, stderr: 'Cannot create namespace file "/run/netns/nk-0123abcd": File exists' } : undefined));
    await assert.rejects(m.ensure(spec(UID_A, 'a')), { name: 'KernelError' });
    assert.deepEqual(k.lines(), ['ip netns add nk-0123abcd']);
    assert.deepEqual(await m.list(), []);
    const netnsDir = join(root, `netns${n}`);
    mkdirSync(netnsDir);
    writeFileSync(join(netnsDir, 'nk-0123abcd'), '');
    const k2 = fakeKernel();
    const m2 = await openSandboxManager({ kernel: k2, daemons: k2.daemons, node, dataDir: join(root, `d${n}`), etcNetnsDir: join(root, `etc${n++}`), netnsDir });
    const sb = await m2.ensure(spec(UID_A, 'a'));
    assert.notEqual(sb.id, '0123abcd');
    assert.equal(k2.lines()[0], `ip netns add nk-${sb.id}`);
  });

  it('runs hostNetwork pods in the node namespace with the node IP', async () => {
    const { k, m } = await open();
    const sb = await m.ensure(spec(UID_A, 'h', { hostNetwork: true }));
    assert.deepEqual([sb.podIP, sb.pausePid, sb.enterPrefix().join(' ')], ['172.30.0.10', 0, 'ip netns exec nk-abc123-n0']);
    assert.deepEqual(k.lines(), []);
    await m.remove(UID_A);
    assert.deepEqual(k.lines(), []);
  });

  it('uses the same commands without -n in host mode', async () => {
    const { k, m } = await open(undefined, { dataDir: join(root, `d${n}`), etcNetnsDir: join(root, `etc${n++}`) }, hostNode);
    await m.ensure(spec(UID_A, 'a'));
    assert.equal(k.lines()[2], 'ip -batch -');
    assert.match(k.calls[2].input!, /^link add nkv0123abcd mtu 1500 type veth peer name eth0 mtu 1500 netns nk-0123abcd\n/);
  });

  it('creates different pods in parallel with distinct IPs', async () => {
    const { m } = await open();
    const uids = Array.from({ length: 10 }, (_, i) => `${(0x10000000 + i).toString(16)}-0000-4000-8000-000000000000`);
    const sbs = await Promise.all(uids.map((uid, i) => m.ensure(spec(uid, `p${i}`))));
    assert.equal(new Set(sbs.map((s) => s.podIP)).size, 10);
    await m.removeAll();
    assert.deepEqual(await m.list(), []);
  });
});

describe('sandboxId', () => {
  it('takes the first 8 hex digits of the uid, or a hash when taken or not hex', () => {
    assert.equal(sandboxId('0123ABCD-1111-4000-8000-000000000000'), '0123abcd');
    assert.match(sandboxId('not-a-uuid'), /^[0-9a-f]{8}$/);
    assert.notEqual(sandboxId(UID_A, new Set(['0123abcd'])), '0123abcd');
  });
});

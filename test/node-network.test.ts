/**
 * End to end, real kernel, isolated mode only: a 2-node isolated network,
 * two pod sandboxes on node-0 and one on node-1, an HTTP server on port 80
 * in each pod, and traffic between them.
 *
 * Address plan (R = random run id; X = a /24 of 172.30.0.0/16 that no host
 * route covers, so a concurrent run or cluster cannot collide):
 *   host link nk-R-h (the only link in the host namespace)  172.30.X.1/24
 *   switch   nk-R-net: bridge br0 with ports host, n0, n1   (no addresses)
 *   node-0   nk-R-n0: eth0 172.30.X.10/24, nkbr0 10.244.0.1/24
 *   node-1   nk-R-n1: eth0 172.30.X.11/24, nkbr0 10.244.1.1/24
 *   pod a, b on node-0: 10.244.0.2, 10.244.0.3; pod c on node-1: 10.244.1.2
 *   service CIDR 10.96.0.0/12 (a local route in each node: a miss is refused there)
 * Every packet goes to an address inside these namespaces or to the host end
 * of the run's own link; everything is removed in `after`, also on failure.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCidr } from '../src/api/net.ts';
import { nodeExec } from '../src/cli/node-exec.ts';
import { realDaemons, realKernel } from '../src/node/kernel.ts';
import { adoptOrClean, createIsolatedNetwork, type IsolatedNetwork } from '../src/node/network/isolated.ts';
import { newRunId } from '../src/node/network/plan.ts';
import { openSandboxManager, type NodeSandboxManager } from '../src/node/network/sandbox.ts';
import type { Sandbox, SandboxSpec } from '../src/node/types.ts';

const kernel = realKernel();
const daemons = realDaemons();
const isRoot = process.getuid?.() === 0;
const haveIp = isRoot && (await kernel.run(['ip', '-V'], { allowFail: true }).catch(() => ({ code: 1 }))).code === 0;

const runId = newRunId();
const crashRunId = newRunId();
const tmp = mkdtempSync(join(tmpdir(), `nk-${runId}-`));
const dns = { nameservers: ['10.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] };
const SERVER = `require('http').createServer((q, s) => s.end(require('os').hostname() + ' ' + q.socket.remoteAddress.replace('::ffff:', ''))).listen(80, '0.0.0.0')`;

/** A /24 in 172.30.0.0/16 that none of the host's routes overlaps (read only). */
async function freeNodeNetwork(): Promise<string> {
  const routes = JSON.parse((await kernel.run(['ip', '-j', '-4', 'route', 'show', 'table', 'all'])).stdout) as { dst: string }[];
  const used = routes.filter((r) => r.dst && r.dst !== 'default').map((r) => parseCidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`));
  for (let tries = 0; tries < 200; tries++) {
    const c = parseCidr(`172.30.${32 + Math.floor(Math.random() * 222)}.0/24`);
    if (!used.some((u) => u.base < c.base + c.size && c.base < u.base + u.size)) return c.text;
  }
  throw new Error('no free /24 in 172.30.0.0/16');
}

function spec(name: string, extra: Partial<SandboxSpec> = {}): SandboxSpec {
  return { namespace: 'default', name, uid: randomUUID(), hostname: name, hostAliases: [], dns, hostNetwork: false, ...extra };
}

async function inPod(sb: Sandbox, argv: string[], allowFail = false) {
  return kernel.run([...sb.enterPrefix(), ...argv], { allowFail });
}

async function names(): Promise<{ netns: string[]; links: string[] }> {
  const netns = (JSON.parse((await kernel.run(['ip', '-j', 'netns', 'list'])).stdout || '[]') as { name: string }[]).map((n) => n.name);
  const links = (JSON.parse((await kernel.run(['ip', '-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname);
  return { netns, links };
}

describe('isolated node network (real kernel)', { skip: haveIp ? false : 'needs root and iproute2' }, () => {
  let net: IsolatedNetwork | undefined;
  const managers: NodeSandboxManager[] = [];
  const serverPids: number[] = [];
  const pausePids: number[] = [];
  const podNetns: string[] = [];
  let a: Sandbox, b: Sandbox, c: Sandbox;
  let specA: SandboxSpec;
  let hostServer: Server | undefined;

  before(async () => {
    net = await createIsolatedNetwork(kernel, { runId, nodes: 2, nodeNetwork: await freeNodeNetwork(), stateFile: join(tmp, 'network.json') });
    for (const [i, n] of net.nodes.entries()) managers.push(await openSandboxManager({ kernel, daemons, node: n, dataDir: join(tmp, `node${i}`) }));
    specA = spec('pod-a', { hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }] });
    [a, b] = await Promise.all([managers[0].ensure(specA), managers[0].ensure(spec('pod-b'))]);
    c = await managers[1].ensure(spec('pod-c'));
    for (const sb of [a, b, c]) {
      pausePids.push(sb.pausePid);
      podNetns.push(`nk-${sb.id}`);
      const [cmd, ...args] = sb.enterPrefix();
      const child = spawn(cmd, [...args, process.execPath, '-e', SERVER], { stdio: 'ignore' });
      serverPids.push(child.pid!);
    }
    for (const sb of [a, b, c]) {
      for (let i = 0; ; i++) {
        if ((await inPod(sb, ['curl', '-sS', '-m', '1', 'http://127.0.0.1/'], true)).code === 0) break;
        if (i > 100) throw new Error(`server in pod ${sb.podIP} did not start`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });

  after(async () => {
    // Idempotent: after a passing run everything is gone already; after a failure this is the cleanup.
    for (const pid of serverPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    hostServer?.close();
    for (const m of managers) await m.removeAll().catch(() => {});
    await net?.teardown().catch(() => {});
    await adoptOrClean(kernel, runId, { daemons }).catch(() => {});
    await adoptOrClean(kernel, crashRunId, { daemons }).catch(() => {});
    for (const pid of pausePids) await daemons.kill(pid).catch(() => {});
    for (const ns of podNetns) {
      await kernel.run(['ip', 'netns', 'del', ns], { allowFail: true });
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it('gives pods distinct IPs from their node pod CIDR', () => {
    // a and b are created concurrently: which one gets .2 is not fixed.
    assert.deepEqual([a.podIP, b.podIP].sort(), ['10.244.0.2', '10.244.0.3']);
    assert.equal(c.podIP, '10.244.1.2');
    assert.deepEqual(net!.nodes[0].execPrefix(), ['ip', 'netns', 'exec', `nk-${runId}-n0`]);
  });

  it('reaches a pod on the same node without NAT, both pods on port 80', async () => {
    assert.equal((await inPod(a, ['curl', '-sS', '-m', '3', `http://${b.podIP}/`])).stdout, `pod-b ${a.podIP}`);
    assert.equal((await inPod(b, ['curl', '-sS', '-m', '3', `http://${a.podIP}:80/`])).stdout, `pod-a ${b.podIP}`);
  });

  it('reaches a pod on the other node without NAT', async () => {
    assert.equal((await inPod(a, ['curl', '-sS', '-m', '3', `http://${c.podIP}/`])).stdout, `pod-c ${a.podIP}`);
    assert.equal((await inPod(c, ['curl', '-sS', '-m', '3', `http://${b.podIP}/`])).stdout, `pod-b ${c.podIP}`);
  });

  it('gives each pod its hostname, resolv.conf and hosts file', async () => {
    assert.equal((await inPod(a, ['hostname'])).stdout.trim(), 'pod-a');
    assert.equal((await inPod(c, ['hostname'])).stdout.trim(), 'pod-c');
    assert.equal(
      (await inPod(a, ['cat', '/etc/resolv.conf'])).stdout,
      'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
    const hosts = (await inPod(a, ['cat', '/etc/hosts'])).stdout;
    assert.match(hosts, /^# Kubernetes-managed hosts file\.\n127\.0\.0\.1\tlocalhost\n/);
    assert.ok(hosts.includes(`\n${a.podIP}\tpod-a\n`), hosts);
    assert.ok(hosts.endsWith('\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n'), hosts);
  });

  it('refuses a packet to an unallocated service IP at once, from a pod and from the node', async () => {
    for (const prefix of [a.enterPrefix(), net!.nodes[1].execPrefix()]) {
      const t0 = Date.now();
      const r = await kernel.run([...prefix, 'curl', '-sS', '-m', '5', 'http://10.96.5.5:80/'], { allowFail: true });
      assert.equal(r.code, 7, r.stderr); // curl: couldn't connect (refused), not 28 (timeout)
      assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0}ms`);
    }
  });

  it('carries a DNAT-ed service connection to a pod on the same bridge, un-NATed on the way back', async () => {
    // What a proxy rule will do: the reply from b goes straight over the bridge to a, and must
    // still pass conntrack in the node namespace (br_netfilter) to get its source rewritten back.
    const node0 = net!.nodes[0].execPrefix();
    const rule = `ip daddr 10.96.0.20 tcp dport 80 dnat to ${b.podIP}:80`;
    const table = `table ip nk-test {\n\tchain pre {\n\t\ttype nat hook prerouting priority -100;\n\t\t${rule}\n\t}\n\tchain out {\n\t\ttype nat hook output priority -100;\n\t\t${rule}\n\t}\n}\n`;
    await kernel.run([...node0, 'nft', '-f', '-'], { input: table });
    try {
      assert.equal((await inPod(a, ['curl', '-sS', '-m', '3', 'http://10.96.0.20/'])).stdout, `pod-b ${a.podIP}`);
      // From the node itself: the local service route's `src` is the bridge address.
      assert.equal((await kernel.run([...node0, 'curl', '-sS', '-m', '3', 'http://10.96.0.20/'])).stdout, `pod-b ${net!.nodes[0].gateway}`);
    } finally {
      await kernel.run([...node0, 'nft', 'delete', 'table', 'ip', 'nk-test']);
    }
  });

  it('has no default route in the node and switch namespaces', async () => {
    for (const ns of [`nk-${runId}-n0`, `nk-${runId}-n1`, `nk-${runId}-net`]) {
      const routes = (await kernel.run(['ip', '-n', ns, 'route', 'show'])).stdout;
      assert.doesNotMatch(routes, /default/, `${ns}:\n${routes}`);
      // A route lookup only (nothing is sent): an address outside the plan has no way out.
      const get = await kernel.run(['ip', '-n', ns, 'route', 'get', '198.51.100.7'], { allowFail: true });
      assert.notEqual(get.code, 0, get.stdout);
    }
    assert.match((await kernel.run(['ip', '-n', `nk-${runId}-n0`, 'route', 'show', 'table', 'local'])).stdout, /^local 10\.96\.0\.0\/12 dev lo scope host src 10\.244\.0\.1 $/m);
  });

  it('lets pods reach a server on the host end of the link (masqueraded to the node IP)', async () => {
    hostServer = createServer((q, s) => s.end(q.socket.remoteAddress));
    await new Promise<void>((ok) => hostServer!.listen(0, net!.hostIP, ok));
    const port = (hostServer.address() as { port: number }).port;
    assert.equal((await inPod(c, ['curl', '-sS', '-m', '3', `http://${net!.hostIP}:${port}/`])).stdout, net!.nodes[1].nodeIP);
    assert.equal((await kernel.run([...net!.nodes[0].execPrefix(), 'curl', '-sS', '-m', '3', `http://${net!.hostIP}:${port}/`])).stdout, net!.nodes[0].nodeIP);
    await new Promise((ok) => hostServer!.close(ok));
    hostServer = undefined;
  });

  it('runs `nanokube node exec NODE -- CMD` in the node namespace, found through the state file', async () => {
    // nkbr0 exists only inside the node namespaces, never on the host.
    assert.equal(await nodeExec(['--data-dir', tmp, 'node-1', '--', 'sh', '-c', 'ip link show nkbr0 >/dev/null'], {}), 0);
    assert.equal(await nodeExec(['--data-dir', tmp, 'node-0', '--', 'sh', '-c', 'exit 3'], {}), 3);
    assert.equal(await nodeExec(['--data-dir', tmp, 'node-7', '--', 'true'], {}), 1);
  });

  it('adopts the running network and sandboxes after a restart, keeping IPs and pause processes', async () => {
    const again = await createIsolatedNetwork(kernel, { runId, nodes: 2, nodeNetwork: net!.plan.nodeNetwork });
    assert.equal(again.origin, 'adopted');
    const restarted = await openSandboxManager({ kernel, daemons, node: net!.nodes[0], dataDir: join(tmp, 'node0') });
    assert.deepEqual((await restarted.list()).map((s) => s.podIP).sort(), [a.podIP, b.podIP].sort());
    const a2 = await restarted.ensure(specA);
    assert.equal(a2.podIP, a.podIP);
    assert.equal(a2.pausePid, a.pausePid);
    assert.equal((await inPod(a2, ['curl', '-sS', '-m', '3', `http://${c.podIP}/`])).stdout, `pod-c ${a.podIP}`);
  });

  it('removes a sandbox: pause process, netns, veth, /etc/netns files and IP', async () => {
    const m = managers[0];
    await m.remove(specA.uid);
    assert.equal(await daemons.holds(a.pausePid, `nk-${a.id}`), false);
    assert.equal(existsSync(`/proc/${a.pausePid}/ns/net`), false);
    const { netns } = await names();
    assert.ok(!netns.includes(`nk-${a.id}`));
    assert.equal(existsSync(`/etc/netns/nk-${a.id}`), false);
    assert.equal((await kernel.run(['ip', '-n', `nk-${runId}-n0`, 'link', 'show', `nkv${a.id}`], { allowFail: true })).code, 1);
    assert.deepEqual((await m.list()).map((s) => s.podIP), [b.podIP]);
  });

  it('cleans what a crashed run left behind, by its name prefix', async () => {
    // A run that "crashed": its network and a pod are left, the agent's state is lost.
    const crashed = await createIsolatedNetwork(kernel, { runId: crashRunId, nodes: 1, nodeNetwork: await freeNodeNetwork() });
    const lost = await (await openSandboxManager({ kernel, daemons, node: crashed.nodes[0], dataDir: join(tmp, 'crashed') })).ensure(spec('lost'));
    pausePids.push(lost.pausePid);
    podNetns.push(`nk-${lost.id}`);
    assert.ok((await names()).netns.includes(`nk-${crashRunId}-n0`));
    assert.equal(await adoptOrClean(kernel, crashRunId, { daemons }), 'cleaned');
    const left = await names();
    assert.deepEqual([...left.netns, ...left.links].filter((n) => n.startsWith(`nk-${crashRunId}-`) || n === `nk-${lost.id}`), []);
    assert.equal(existsSync(`/proc/${lost.pausePid}/ns/net`), false);
    assert.equal(existsSync(`/etc/netns/nk-${lost.id}`), false);
    // The other run's pods are untouched.
    assert.equal(await daemons.holds(b.pausePid, `nk-${b.id}`), true);
    assert.equal(await adoptOrClean(kernel, crashRunId, { daemons }), 'absent');
  });

  it('tears everything down and leaves no namespace, link or process behind', async () => {
    for (const pid of serverPids) await daemons.kill(pid);
    for (const m of managers) await m.removeAll();
    await net!.teardown();
    const left = await names();
    assert.deepEqual([...left.netns, ...left.links].filter((n) => n.startsWith(`nk-${runId}-`) || podNetns.includes(n)), []);
    for (const pid of pausePids) assert.equal(existsSync(`/proc/${pid}/ns/net`), false, `pause ${pid} still running`);
    for (const ns of podNetns) assert.equal(existsSync(`/etc/netns/${ns}`), false);
    assert.equal(existsSync(join(tmp, 'network.json')), false);
  });
});

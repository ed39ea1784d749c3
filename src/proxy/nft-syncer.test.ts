/**
 * NftablesSyncer: the exact commands against a fake kernel (whose table is
 * kept by the nft interpreter), then the real thing in a network namespace
 * of its own. Address plan: node IP 172.30.99.2 (a veth link inside the test
 * namespace, NodePorts answer there); pods 10.244.1.5 and 10.244.1.6 (on
 * the namespace's loopback, this node); cluster CIDR 10.244.0.0/16;
 * service CIDR 10.96.0.0/12: web 10.96.0.20:80 (NodePort 30020) -> both
 * pods :8080, sticky 10.96.0.30:80 (ClientIP) -> both pods :8080, empty
 * 10.96.0.90:80 without endpoints; 10.96.0.200 is not allocated.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../api/meta.ts';
import { KernelError, fakeKernel, realKernel } from '../node/kernel.ts';
import { proxyState } from './model.ts';
import { NftablesSyncer, type NftablesSyncerOptions } from './nft-syncer.ts';
import { countRules, fullRuleset, incrementalRuleset, loadParts } from './nftables.ts';
import { applyNft, type NftRuleset } from './nftables-interp.ts';
import type { ProxyNodeInfo, ProxyState } from './types.ts';

const node: ProxyNodeInfo = { nodeName: 'n0', nodePortAddresses: ['172.30.99.2'], clusterCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12' };

function svc(name: string, clusterIP: string, extra: Record<string, any> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP, ports: [{ name: 'http', port: 80 }], ...extra } };
}
function slice(service: string, ips: string[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: 'n0', conditions: { ready: true } })),
  };
}
const web = svc('web', '10.96.0.20', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30020 }] });
const sticky = svc('sticky', '10.96.0.30', { sessionAffinity: 'ClientIP' });
const empty = svc('empty', '10.96.0.90');
const state = (webIPs: string[]): ProxyState => proxyState([web, sticky, empty], [slice('web', webIPs), slice('sticky', ['10.244.1.5', '10.244.1.6'])], node);

describe('NftablesSyncer (fake kernel)', () => {
  const prefix = ['ip', 'netns', 'exec', 'nk-R-n0'];

  /**
   * A fake kernel whose nft keeps its table in the interpreter (`nft -f FILE` too: `files` keeps what
   * it read); `failNext` makes the next nft -f fail.
   */
  function setup(o: Partial<NftablesSyncerOptions> = {}) {
    const table: NftRuleset = new Map();
    const files: string[] = [];
    const ctl = { failNext: false };
    const kernel = fakeKernel((argv, input) => {
      if (argv.includes('list')) return { stdout: table.has('ip nanokube') ? 'table ip nanokube\n' : '' };
      if (argv.at(-2) !== '-f') return argv.includes('delete') && !table.has('ip nanokube') ? { code: 1, stderr: 'No such file or directory' } : undefined;
      if (ctl.failNext) {
        ctl.failNext = false;
        return { code: 1, stderr: 'Error: Could not process rule: Device or resource busy' };
      }
      if (argv.at(-1) !== '-') files.push(readFileSync(argv.at(-1)!, 'utf8'));
      applyNft(table, argv.at(-1) === '-' ? input! : files.at(-1)!);
      return undefined;
    });
    const logs: string[] = [];
    return { table, files, ctl, kernel, logs, syncer: new NftablesSyncer({ kernel, execPrefix: prefix, log: (l) => logs.push(l), ...o }) };
  }

  it('writes the full ruleset first, then only what changed, then nothing when nothing did', async () => {
    const { kernel, syncer, table } = setup();
    const s1 = state(['10.244.1.5']);
    const s2 = state(['10.244.1.5', '10.244.1.6']);
    const r1 = await syncer.sync(s1);
    const full = fullRuleset(s1);
    assert.deepEqual(r1, { full: true, rules: countRules(full) });
    assert.deepEqual(kernel.calls, [{ argv: [...prefix, 'nft', '-f', '-'], input: full }]);
    const r2 = await syncer.sync(s2);
    assert.deepEqual(r2, { full: false, rules: countRules(fullRuleset(s2)) });
    assert.deepEqual(kernel.calls[1], { argv: [...prefix, 'nft', '-f', '-'], input: incrementalRuleset(s1, s2) });
    assert.deepEqual(await syncer.sync(structuredClone(s2)), r2);
    assert.equal(kernel.calls.length, 2);
    assert.deepEqual(table, applyNft(new Map(), fullRuleset(s2)));
    assert.equal(syncer.mode, 'nftables');
  });

  it('leaves the hairpin element of a moved endpoint in the table until a sync deletes anyway, and knows it', async () => {
    const { kernel, syncer, table } = setup();
    const hairpins = () => [...table.get('ip nanokube')!.sets.get('hairpin-endpoints')!.elements.keys()].sort();
    await syncer.sync(state(['10.244.1.7']));
    await syncer.sync(state(['10.244.1.8']));
    assert.doesNotMatch(kernel.calls[1].input!, /delete/);
    assert.deepEqual(hairpins(), ['10.244.1.5 . 10.244.1.5', '10.244.1.6 . 10.244.1.6', '10.244.1.7 . 10.244.1.7', '10.244.1.8 . 10.244.1.8']);
    // Back to .7: already there. Then web goes away: its chains are deleted, and so is what was left.
    await syncer.sync(state(['10.244.1.7']));
    assert.doesNotMatch(kernel.calls[2].input!, /hairpin|delete/);
    const last = proxyState([sticky, empty], [slice('sticky', ['10.244.1.5', '10.244.1.6'])], node);
    await syncer.sync(last);
    assert.match(kernel.calls[3].input!, /^delete element ip nanokube hairpin-endpoints \{ 10\.244\.1\.7 \. 10\.244\.1\.7, 10\.244\.1\.8 \. 10\.244\.1\.8 \}$/m);
    assert.deepEqual(table, applyNft(new Map(), fullRuleset(last)));
  });

  it('loads a large first table in parts at once, from files, when the namespace has none', async () => {
    const { kernel, syncer, table, files } = setup({ parallel: 3, parallelFrom: 2 });
    const s1 = state(['10.244.1.5']);
    assert.deepEqual(await syncer.sync(s1), { full: true, rules: countRules(fullRuleset(s1)) });
    const lines = kernel.lines();
    assert.equal(lines[0], `${prefix.join(' ')} nft list tables ip`);
    assert.equal(lines.length, 4);
    for (const l of lines.slice(1)) assert.match(l, new RegExp(`^${prefix.join(' ')} nft -f \\S+/nk-nft-\\w+/part-[012]\\.nft$`));
    assert.deepEqual(files, [...loadParts(s1, {}, 3)]);
    assert.deepEqual(table, applyNft(new Map(), fullRuleset(s1)));
    // The files are gone; the next sync is incremental.
    assert.throws(() => readFileSync(lines[1].split(' ').at(-1)!));
    assert.equal((await syncer.sync(state(['10.244.1.6']))).full, false);
    assert.deepEqual(table, applyNft(new Map(), fullRuleset(state(['10.244.1.6']))));
  });

  it('replaces a table it finds in one transaction, and after a failed part too', async () => {
    const { kernel, syncer, table } = setup({ parallel: 2, parallelFrom: 2 });
    applyNft(table, fullRuleset(state([])));
    await syncer.sync(state(['10.244.1.5']));
    assert.deepEqual(kernel.lines(), [`${prefix.join(' ')} nft list tables ip`, `${prefix.join(' ')} nft -f -`]);
    assert.equal(kernel.calls[1].input, fullRuleset(state(['10.244.1.5'])));

    const fresh = setup({ parallel: 2, parallelFrom: 2 });
    fresh.ctl.failNext = true;
    await assert.rejects(fresh.syncer.sync(state(['10.244.1.5'])), KernelError);
    assert.equal(fresh.logs.length, 1);
    const r = await fresh.syncer.sync(state(['10.244.1.6']));
    assert.equal(r.full, true);
    assert.equal(fresh.kernel.calls.at(-1)!.input, fullRuleset(state(['10.244.1.6'])));
    assert.deepEqual(fresh.table, applyNft(new Map(), fullRuleset(state(['10.244.1.6']))));
  });

  it('after a failure logs, rethrows, and rewrites the whole table on the next sync', async () => {
    const { ctl, kernel, syncer, logs, table } = setup();
    const [s1, s2, s3] = [state(['10.244.1.5']), state(['10.244.1.6']), state([])];
    await syncer.sync(s1);
    ctl.failNext = true;
    await assert.rejects(syncer.sync(s2), KernelError);
    assert.equal(logs.length, 1);
    assert.match(logs[0], /^nftables: sync failed \(full=false\), the next sync rewrites the table: ip netns exec nk-R-n0 nft -f -: exit 1: Error: Could not process rule: Device or resource busy$/);
    const r3 = await syncer.sync(s3);
    assert.equal(r3.full, true);
    assert.equal(kernel.calls.at(-1)!.input, fullRuleset(s3));
    assert.deepEqual(table, applyNft(new Map(), fullRuleset(s3)));
  });

  it('rewrites everything when the node addresses change, and uses the table name it is given', async () => {
    const kernel = fakeKernel();
    const syncer = new NftablesSyncer({ kernel, execPrefix: [], table: 'nk-test', log: () => {} });
    const s1 = state(['10.244.1.5']);
    await syncer.sync(s1);
    const s2 = { ...s1, node: { ...node, nodePortAddresses: [] } };
    assert.equal((await syncer.sync(s2)).full, true);
    assert.equal(kernel.calls[1].input, fullRuleset(s2, { table: 'nk-test' }));
    await syncer.close();
    assert.deepEqual(kernel.lines().at(-1), 'nft delete table ip nk-test');
  });

  it('close deletes the table, and a missing table is no error', async () => {
    const { kernel, syncer } = setup();
    await syncer.close();
    await syncer.sync(state([]));
    await syncer.close();
    assert.deepEqual(kernel.lines(), [`${prefix.join(' ')} nft delete table ip nanokube`, `${prefix.join(' ')} nft -f -`, `${prefix.join(' ')} nft delete table ip nanokube`]);
  });
});

/** A client and two servers inside the test namespace: which pod answered each connection, or the error. */
const PROBE = `
const net = require('node:net');
const servers = ['10.244.1.5', '10.244.1.6'].map((ip) => net.createServer((s) => s.end(ip)).listen(8080, ip));
const ask = (host, port) => new Promise((resolve) => {
  const t0 = Date.now();
  const s = net.connect({ host, port, timeout: 3000 });
  let got = '';
  s.on('data', (d) => (got += d));
  s.on('end', () => resolve(got));
  s.on('timeout', () => { s.destroy(); resolve('TIMEOUT'); });
  s.on('error', (e) => resolve(e.code + (Date.now() - t0 < 1000 ? '' : ' (slow)')));
});
(async () => {
  const targets = JSON.parse(process.argv[1]);
  const out = {};
  for (const [name, host, port, n] of targets) {
    out[name] = [];
    for (let i = 0; i < n; i++) out[name].push(await ask(host, port));
  }
  console.log(JSON.stringify(out));
  servers.forEach((s) => s.close());
})();
`;

describe('NftablesSyncer (real nft in its own network namespace)', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  const kernel = realKernel();
  const ns = `nk-proxytest-${randomBytes(3).toString('hex')}`;
  const inNs = ['ip', 'netns', 'exec', ns];
  let skip: string | false = false;

  before(async () => {
    if ((await kernel.run(['nft', '--version'], { allowFail: true })).code !== 0) {
      skip = 'no nft';
      return;
    }
    await kernel.run(['ip', 'netns', 'add', ns]);
    // Everything below lives in the new namespace: a veth pair as the node link (both ends inside, no
    // forwarding, so what goes out of it dies there), pods on loopback.
    for (const cmd of [
      ['ip', 'link', 'set', 'lo', 'up'],
      ['ip', 'addr', 'add', '10.244.1.5/32', 'dev', 'lo'],
      ['ip', 'addr', 'add', '10.244.1.6/32', 'dev', 'lo'],
      ['ip', 'link', 'add', 'nk0', 'type', 'veth', 'peer', 'name', 'nk1'],
      ['ip', 'link', 'set', 'nk1', 'up'],
      ['ip', 'link', 'set', 'nk0', 'up'],
      ['ip', 'addr', 'add', '172.30.99.2/24', 'dev', 'nk0'],
      ['ip', 'route', 'add', '10.96.0.0/12', 'dev', 'nk0'],
    ]) {
      await kernel.run([...inNs, ...cmd]);
    }
  });
  after(async () => {
    if (!skip) await kernel.run(['ip', 'netns', 'delete', ns], { allowFail: true });
  });

  const probe = async (targets: [string, string, number, number][]) =>
    JSON.parse((await kernel.run([...inNs, process.execPath, '-e', PROBE, JSON.stringify(targets)])).stdout) as Record<string, string[]>;

  it('programs the table, follows changes, answers, refuses and sticks as it should, and removes the table', async (t) => {
    if (skip) return t.skip(skip);
    const syncer = new NftablesSyncer({ kernel, execPrefix: inNs, log: (l) => t.diagnostic(l) });
    assert.equal((await syncer.sync(state(['10.244.1.5']))).full, true);
    let listing = (await kernel.run([...inNs, 'nft', 'list', 'table', 'ip', 'nanokube'])).stdout;
    assert.match(listing, /chain service-\w{8}-default\/web\/tcp\/http \{/);
    assert.match(listing, /10\.96\.0\.90 \. tcp \. 80 : goto reject-chain/);
    assert.match(listing, /chain service-\w{8}-default\/web\/tcp\/http \{\n\t\tmeta l4proto tcp dnat to 10\.244\.1\.5:8080\n\t\}/);

    let r = await probe([
      ['web', '10.96.0.20', 80, 4],
      ['nodeport', '172.30.99.2', 30020, 2],
      ['empty', '10.96.0.90', 80, 1],
      ['unallocated', '10.96.0.200', 80, 1],
      ['wrong-port', '10.96.0.20', 81, 1],
    ]);
    assert.deepEqual(r, {
      web: ['10.244.1.5', '10.244.1.5', '10.244.1.5', '10.244.1.5'],
      nodeport: ['10.244.1.5', '10.244.1.5'],
      empty: ['ECONNREFUSED'],
      unallocated: ['ECONNREFUSED'],
      'wrong-port': ['ECONNREFUSED'],
    });

    // A second endpoint: an incremental transaction; both now answer, the sticky service keeps its choice.
    const s2 = state(['10.244.1.5', '10.244.1.6']);
    assert.equal((await syncer.sync(s2)).full, false);
    listing = (await kernel.run([...inNs, 'nft', 'list', 'table', 'ip', 'nanokube'])).stdout;
    // Without affinity the service chain DNATs itself (nft lists `== 0` as ` 0`); sticky keeps its endpoint chains.
    assert.match(listing, /chain service-\w{8}-default\/web\/tcp\/http \{\n\t\tnumgen random mod 2 0 meta l4proto tcp dnat to 10\.244\.1\.5:8080\n\t\tmeta l4proto tcp dnat to 10\.244\.1\.6:8080\n\t\}/);
    assert.match(listing, /chain endpoint-\w{8}-default\/sticky\/tcp\/http__10\.244\.1\.6\/8080 \{/);
    assert.doesNotMatch(listing, /chain endpoint-\w{8}-default\/web\//);
    r = await probe([
      ['web', '10.96.0.20', 80, 40],
      ['sticky', '10.96.0.30', 80, 10],
    ]);
    assert.deepEqual(new Set(r.web), new Set(['10.244.1.5', '10.244.1.6']));
    assert.equal(new Set(r.sticky).size, 1, `sticky answers: ${r.sticky}`);

    await syncer.close();
    assert.notEqual((await kernel.run([...inNs, 'nft', 'list', 'table', 'ip', 'nanokube'], { allowFail: true })).code, 0);
  });

  it('loads a first table in parts at once and it answers as one', async (t) => {
    if (skip) return t.skip(skip);
    const argvs: string[][] = [];
    const recording = { run: (argv: string[], o?: { input?: string; allowFail?: boolean }) => (argvs.push(argv), kernel.run(argv, o)) };
    const syncer = new NftablesSyncer({ kernel: recording, execPrefix: inNs, log: (l) => t.diagnostic(l), parallel: 3, parallelFrom: 1 });
    const s1 = state(['10.244.1.5', '10.244.1.6']);
    assert.equal((await syncer.sync(s1)).full, true);
    assert.deepEqual(argvs.map((a) => a.slice(inNs.length, -1).join(' ')), ['nft list tables', 'nft -f', 'nft -f', 'nft -f']);
    const listing = (await kernel.run([...inNs, 'nft', 'list', 'table', 'ip', 'nanokube'])).stdout;
    for (const name of ['filter-input', 'nat-prerouting', 'services', 'masquerading', 'mark-for-masquerade']) assert.match(listing, new RegExp(`chain ${name} \\{`));
    assert.match(listing, /chain service-\w{8}-default\/sticky\/tcp\/http \{/);
    const r = await probe([
      ['web', '10.96.0.20', 80, 20],
      ['nodeport', '172.30.99.2', 30020, 2],
      ['empty', '10.96.0.90', 80, 1],
    ]);
    assert.deepEqual(new Set(r.web), new Set(['10.244.1.5', '10.244.1.6']));
    assert.equal(r.nodeport.length, 2);
    assert.deepEqual(r.empty, ['ECONNREFUSED']);
    await syncer.close();
  });
});

/**
 * The incremental ruleset is right when, applied to the table of the
 * previous state, it gives the table of the full ruleset of the next one:
 * checked with the interpreter (nftables-interp.ts) over random sequences of
 * states, and on the real nft in a private network namespace. Address plan:
 * node-a (172.30.0.2) and node-b; cluster CIDR 10.244.0.0/16 with
 * endpoints 10.244.1.1-6; service CIDR 10.96.0.0/12, service i at
 * 10.96.0.(10+i); external IPs 192.0.2.10-11 (shared between services on
 * purpose: conflicting claims), load-balancer IP 198.51.100.7; NodePorts
 * 30000 + 10 i + port index.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { realKernel } from '../node/kernel.ts';
import { proxyState } from './model.ts';
import { MAX_STALE_HAIRPINS, fullRuleset, incrementalRuleset, incrementalUpdate, loadParts } from './nftables.ts';
import { applyNft, type NftRuleset } from './nftables-interp.ts';
import type { ProxyNodeInfo, ProxyState } from './types.ts';
import { mulberry32 as prng } from '../testing/prng.ts';

const node: ProxyNodeInfo = { nodeName: 'node-a', nodePortAddresses: ['172.30.0.2'], clusterCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12' };


const PORTS = [
  { name: 'http', port: 80, protocol: 'TCP' },
  { name: 'dns', port: 53, protocol: 'UDP' },
  { name: 'metrics', port: 9090, protocol: 'TCP' },
];

/** A random cluster of up to 6 Services with their slices. */
function randomState(rnd: () => number, n: ProxyNodeInfo = node): ProxyState {
  const { services, slices } = randomObjects(rnd);
  return proxyState(services, slices, n);
}

/** The objects of a random cluster of up to 6 Services. */
function randomObjects(rnd: () => number): { services: KubeObject[]; slices: KubeObject[] } {
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const some = <T>(xs: T[], p = 0.5) => xs.filter(() => rnd() < p);
  const services: KubeObject[] = [];
  const slices: KubeObject[] = [];
  for (let i = 0; i < 6; i++) {
    if (rnd() < 0.2) continue;
    const name = `svc${i}`;
    const ports = some(PORTS, 0.6);
    if (!ports.length) ports.push(PORTS[0]);
    const type = pick(['ClusterIP', 'NodePort', 'LoadBalancer']);
    const spec: Record<string, any> = {
      type,
      clusterIP: `10.96.0.${10 + i}`,
      ports: ports.map((p) => ({ ...p, name: ports.length === 1 && rnd() < 0.3 ? '' : p.name, nodePort: type === 'ClusterIP' ? undefined : 30000 + 10 * i + PORTS.indexOf(p) })),
      externalIPs: some(['192.0.2.10', '192.0.2.11'], 0.2),
      externalTrafficPolicy: pick(['Cluster', 'Local']),
      internalTrafficPolicy: pick(['Cluster', 'Cluster', 'Local']),
    };
    if (rnd() < 0.3) spec.sessionAffinity = 'ClientIP';
    if (spec.sessionAffinity && rnd() < 0.5) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: pick([60, 120]) } };
    const status = type === 'LoadBalancer' && rnd() < 0.7 ? { loadBalancer: { ingress: [{ ip: '198.51.100.7' }] } } : undefined;
    services.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec, ...(status ? { status } : {}) });
    const endpoints = some([1, 2, 3, 4, 5, 6], 0.4).map((e) => {
      const c = pick([
        [true, true, false],
        [true, true, false],
        [false, false, false],
        [false, true, true],
        [false, false, true],
      ]);
      return { addresses: [`10.244.1.${e}`], conditions: { ready: c[0], serving: c[1], terminating: c[2] }, nodeName: pick(['node-a', 'node-b']) };
    });
    slices.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: ports.map((p) => ({ name: spec.ports.find((q: any) => q.port === p.port).name, port: p.port + 8000, protocol: p.protocol })),
      endpoints,
    });
  }
  return { services, slices };
}

/** The same cluster with the endpoints of one slice replaced (pods 10.244.1.1-12). */
function moveEndpoints(rnd: () => number, o: { services: KubeObject[]; slices: KubeObject[] }): { services: KubeObject[]; slices: KubeObject[] } {
  if (!o.slices.length) return o;
  const i = Math.floor(rnd() * o.slices.length);
  const slices = [...o.slices];
  const ips = Array.from({ length: 12 }, (_, k) => `10.244.1.${k + 1}`).filter(() => rnd() < 0.3);
  slices[i] = { ...slices[i], endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true }, nodeName: rnd() < 0.5 ? 'node-a' : 'node-b' })) };
  return { services: o.services, slices };
}

const interp = (text: string): NftRuleset => applyNft(new Map(), text);

describe('incrementalRuleset', () => {
  it('turns the previous table into the next full one, over 400 random changes (interpreter)', () => {
    const rnd = prng(20261122);
    let prev = randomState(rnd);
    const table = interp(fullRuleset(prev));
    let incrementals = 0;
    for (let step = 0; step < 400; step++) {
      // Mostly small changes: keep most services, now and then a new node address list (full rewrite).
      const other = step % 97 === 96 ? { ...node, nodePortAddresses: [] } : node;
      const next = rnd() < 0.1 ? prev : randomState(rnd, other);
      const text = incrementalRuleset(prev, next);
      if (text !== undefined) {
        incrementals++;
        try {
          applyNft(table, text);
        } catch (e) {
          assert.fail(`step ${step}: ${(e as Error).message}\n${text}`);
        }
      }
      assert.deepEqual(table, interp(fullRuleset(next)), `step ${step}`);
      prev = next;
    }
    assert.ok(incrementals > 300, `${incrementals} incremental transactions`);
  });

  it('incrementalUpdate leaves only unclaimed hairpin elements behind, and clears them when it deletes anyway', () => {
    const rnd = prng(4711);
    let objects = randomObjects(rnd);
    let prev = proxyState(objects.services, objects.slices, node);
    const table = interp(fullRuleset(prev));
    let stale = new Set<string>();
    let [left, cleared, cheap] = [0, 0, 0];
    for (let step = 0; step < 400; step++) {
      // Mostly endpoints moving within one service; now and then a different cluster.
      objects = rnd() < 0.85 ? moveEndpoints(rnd, objects) : randomObjects(rnd);
      const next = proxyState(objects.services, objects.slices, node);
      const r = incrementalUpdate(prev, next, {}, stale);
      if (r.text !== undefined) applyNft(table, r.text);
      if (r.text !== undefined && !r.text.includes('delete ')) cheap++;
      if (r.stale.size > stale.size) left++;
      if (stale.size && !r.stale.size) cleared++;
      // The table is the full one of `next` plus exactly the elements left behind.
      const expected = interp(fullRuleset(next));
      const hairpins = expected.get('ip nanokube')!.sets.get('hairpin-endpoints')!.elements;
      for (const k of r.stale) {
        assert.ok(!hairpins.has(k), `step ${step}: ${k} is claimed and left behind`);
        hairpins.set(k, '');
      }
      assert.deepEqual(table, expected, `step ${step}`);
      assert.ok(r.stale.size <= MAX_STALE_HAIRPINS);
      [prev, stale] = [next, r.stale];
    }
    assert.ok(left > 20 && cleared > 20 && cheap > 5, `left ${left}, cleared ${cleared}, without deletions ${cheap}`);
  });

  it('incrementalUpdate: endpoints moving within one service cost no deletion', () => {
    const svc = (ips: string[]) => proxyState(
      [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] } }],
      [{ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', ports: [{ name: 'http', port: 8080 }], endpoints: ips.map((ip) => ({ addresses: [ip] })) }],
      node,
    );
    const [a, b, c] = [svc(['10.244.1.1', '10.244.1.2']), svc(['10.244.1.2', '10.244.1.3']), svc(['10.244.1.1'])];
    const ab = incrementalUpdate(a, b, {}, new Set());
    assert.deepEqual(ab.text!.split('\n').filter((l) => l.startsWith('add set ip nanokube hairpin') || l.startsWith('delete')), ['add set ip nanokube hairpin-endpoints { type ipv4_addr . ipv4_addr ; elements = { 10.244.1.3 . 10.244.1.3 } ; }']);
    assert.deepEqual([...ab.stale], ['10.244.1.1 . 10.244.1.1']);
    // Back to an endpoint left behind: nothing to add for it.
    const bc = incrementalUpdate(b, c, {}, ab.stale);
    assert.doesNotMatch(bc.text!, /hairpin|delete/);
    assert.deepEqual([...bc.stale].sort(), ['10.244.1.2 . 10.244.1.2', '10.244.1.3 . 10.244.1.3']);
    // Removing the service deletes chains: the transaction deletes whatever was left too.
    const gone = incrementalUpdate(c, { node, services: [] }, {}, bc.stale);
    assert.match(gone.text!, /^delete element ip nanokube hairpin-endpoints \{ 10\.244\.1\.1 \. 10\.244\.1\.1, 10\.244\.1\.2 \. 10\.244\.1\.2, 10\.244\.1\.3 \. 10\.244\.1\.3 \}$/m);
    assert.equal(gone.stale.size, 0);
  });

  it('is right when several states follow from one (the element claims move on to the first, then are rebuilt)', () => {
    const rnd = prng(99);
    for (let round = 0; round < 40; round++) {
      const base = randomState(rnd);
      fullRuleset(base);
      for (const next of [randomState(rnd), randomState(rnd), base]) {
        const table = interp(fullRuleset(base));
        applyNft(table, incrementalRuleset(base, next) ?? '');
        assert.deepEqual(table, interp(fullRuleset(next)), `round ${round}`);
      }
    }
  });

  it('loadParts: the parts give the full table in any order, each part valid alone', () => {
    const rnd = prng(1234);
    const orders = [[0, 1, 2], [2, 1, 0], [1, 2, 0], [1, 0, 2]];
    for (let round = 0; round < 60; round++) {
      const state = randomState(rnd);
      const expected = interp(fullRuleset(state));
      const parts = [...loadParts(state, {}, 3)];
      assert.equal(parts.length, 3);
      for (const p of parts) interp(p);
      for (const order of orders) {
        const table: NftRuleset = new Map();
        for (const i of order) applyNft(table, parts[i]);
        assert.deepEqual(table, expected, `round ${round}, order ${order}`);
      }
      // Incremental syncs go on from a state loaded in parts (its element claims were built part by part).
      const next = randomState(rnd);
      const table = interp(parts.join(''));
      applyNft(table, incrementalRuleset(state, next) ?? '');
      assert.deepEqual(table, interp(fullRuleset(next)), `round ${round}, after`);
    }
  });

  it('is undefined when nothing changed, even for fresh but equal objects', () => {
    const a = randomState(prng(7));
    const b = structuredClone(a);
    assert.equal(incrementalRuleset(a, b), undefined);
  });

  it('gives the full ruleset when the node addresses or CIDRs change', () => {
    const a = randomState(prng(8));
    const b = { ...a, node: { ...node, serviceCidr: '10.96.0.0/16' } };
    assert.equal(incrementalRuleset(a, b), fullRuleset(b));
  });

  it('turns the previous table into the next full one on the real nft (unshare -n)', { skip: skipReal() }, async () => {
    const rnd = prng(42);
    // Whole new clusters and endpoints moving within one service (incrementalUpdate leaves hairpin elements then).
    let objects = randomObjects(rnd);
    const states = Array.from({ length: 40 }, () => {
      objects = rnd() < 0.6 ? moveEndpoints(rnd, objects) : randomObjects(rnd);
      return proxyState(objects.services, objects.slices, node);
    });
    const texts = [fullRuleset(states[0])];
    for (let i = 1; i < states.length; i++) texts.push(incrementalRuleset(states[i - 1], states[i]) ?? '');
    const stepwise = await listAfter(texts);
    const direct = await listAfter([fullRuleset(states.at(-1)!)]);
    assert.deepEqual(normalise(stepwise), normalise(direct));
    assert.match(direct, /chain service-/);
    // incrementalUpdate's transactions apply too; only the hairpin set may differ (by what was left).
    let stale = new Set<string>();
    const lazy = [fullRuleset(states[0])];
    for (let i = 1; i < states.length; i++) {
      const r = incrementalUpdate(states[i - 1], states[i], {}, stale);
      lazy.push(r.text ?? '');
      stale = r.stale;
    }
    const notHairpin = (blocks: string[]) => blocks.filter((b) => !b.startsWith('set hairpin-endpoints'));
    assert.deepEqual(notHairpin(normalise(await listAfter(lazy))), notHairpin(normalise(direct)));
    assert.ok(lazy.filter((t) => t && !t.includes('delete ')).length > 5, 'transactions without deletions');
  });

  it('loadParts: nft processes loading the parts at once make the full table (unshare -n)', { skip: skipReal() }, async () => {
    const rnd = prng(77);
    const states = Array.from({ length: 4 }, () => randomState(rnd));
    const big = proxyState(
      states.flatMap((s, i) => s.services.map((sp) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `${sp.name}-${i}-${sp.portName}`, namespace: 'default' }, spec: { clusterIP: `10.96.${i + 1}.${sp.clusterIP.split('.')[3]}`, ports: [{ name: 'p', port: sp.port, protocol: sp.protocol }] } }))),
      [],
      node,
    );
    for (const state of [...states, big]) {
      const parts = [...loadParts(state, {}, 3)];
      const script = 'set -e; d=$(mktemp -d); trap "rm -rf $d" EXIT; i=0; while IFS= read -r l; do if [ "$l" = "%%" ]; then i=$((i+1)); else printf "%s\\n" "$l" >> $d/$i; fi; done; nft -f $d/0 & a=$!; nft -f $d/1 & b=$!; nft -f $d/2; wait $a; wait $b; nft list table ip nanokube';
      const r = await realKernel().run(['unshare', '-n', 'sh', '-c', script], { input: parts.map((t) => `${t}%%\n`).join('') });
      assert.deepEqual(normalise(r.stdout), normalise(await listAfter([fullRuleset(state)])));
    }
  });
});

function skipReal(): string | false {
  if (process.getuid?.() !== 0) return 'needs root for unshare -n';
  return false;
}

/** Applies each text with its own `nft -f` inside one throwaway network namespace and lists the table. */
async function listAfter(texts: string[]): Promise<string> {
  // sh reads the texts from its stdin, one nft call each, separated by a marker line.
  const script = 'set -e; f=$(mktemp); trap "rm -f $f" EXIT; : > $f; while IFS= read -r l; do if [ "$l" = "%%" ]; then nft -f $f; : > $f; else printf "%s\\n" "$l" >> $f; fi; done; nft list table ip nanokube';
  const input = texts.map((t) => `${t}%%\n`).join('');
  const r = await realKernel().run(['unshare', '-n', 'sh', '-c', script], { input });
  return r.stdout;
}

/** nft lists objects in creation order and set elements in kernel order: compare both as sorted lists. */
function normalise(listing: string): string[] {
  const flat = listing.replace(/elements = \{([^}]*)\}/g, (_, els: string) =>
    els
      .split(',')
      .map((e) => e.trim())
      .sort()
      .join(','),
  );
  // Objects are the blocks between "\t<kind> <name> {" and "\t}" lines.
  const blocks: string[] = [];
  let cur: string[] = [];
  for (const l of flat.split('\n')) {
    if (l.startsWith('\t')) cur.push(l);
    if (l === '\t}') {
      blocks.push(cur.map((x) => x.trim()).join('\n'));
      cur = [];
    }
  }
  return blocks.sort();
}

/**
 * The userspace syncer with its real relay child (no exec prefix: the child
 * runs in this namespace), over loopback only.
 *
 * Address plan: endpoints on 127.0.0.1 (ephemeral ports); "cluster IPs"
 * 127.77.2.2-6; the node's NodePort address 127.77.2.1. Ports of listeners
 * are found free on their address first.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import type { ProxyServicePort, ProxyState } from '../types.ts';
import { RelayError } from './errors.ts';
import { trackedEndpoints, connectOutcome, freePort, sleep, whoAnswers, type Named } from './relay-fixtures.ts';
import { UserspaceSyncer } from './userspace-syncer.ts';

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const endpoints = (...names: string[]): Promise<Named[]> => trackedEndpoints(cleanups, ...names);

function syncer(execPrefix: string[] = []): { s: UserspaceSyncer; logs: string[] } {
  const logs: string[] = [];
  const s = new UserspaceSyncer({ execPrefix, log: (l) => logs.push(l) });
  cleanups.push(() => s.close());
  return { s, logs };
}

function svc(name: string, clusterIP: string, port: number, endpointPorts: number[], more: Partial<ProxyServicePort> = {}): ProxyServicePort {
  const eps = endpointPorts.map((p) => ({ ip: '127.0.0.1', port: p, ready: true, serving: true, terminating: false, local: true }));
  return {
    key: `default/${name}`,
    namespace: 'default',
    name,
    portName: '',
    protocol: 'TCP',
    clusterIP,
    port,
    externalIPs: [],
    loadBalancerIPs: [],
    externalPolicyLocal: false,
    internalPolicyLocal: false,
    clusterEndpoints: eps,
    localEndpoints: [],
    hasAnyEndpoints: eps.length > 0,
    ...more,
  };
}

const state = (...services: ProxyServicePort[]): ProxyState => ({
  node: { nodeName: 'n0', nodePortAddresses: ['127.77.2.1'], clusterCidr: '10.244.0.0/16', serviceCidr: '127.77.2.0/24' },
  services,
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('sync opens the cluster IP and node port listeners in the child; a service without endpoints refuses', async () => {
  const eps = await endpoints('a', 'b', 'c');
  const { s, logs } = syncer();
  const port = await freePort('127.77.2.2');
  const nodePort = await freePort('127.77.2.1');
  const emptyPort = await freePort('127.77.2.3');
  const st = state(svc('web', '127.77.2.2', port, eps.map((e) => e.port), { nodePort }), svc('empty', '127.77.2.3', emptyPort, []));
  assert.deepEqual(await s.sync(st), { full: true, rules: 2 });
  assert.ok(s.pid && alive(s.pid));
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) seen.push(await whoAnswers('127.77.2.2', port));
  assert.deepEqual(seen, ['a', 'b', 'c']);
  assert.equal(await whoAnswers('127.77.2.1', nodePort), 'a', 'the node port shares the cluster IP round-robin');
  assert.equal(await connectOutcome('127.77.2.3', emptyPort), 'ECONNREFUSED');

  // The next sync is incremental, to the same child, and reports its counters.
  assert.deepEqual(await s.sync(st), { full: false, rules: 2 });
  assert.equal(s.metrics?.tcpConnections, 4);
  assert.equal(s.metrics?.tcpBytesOut, 8, 'four name lines of 2 bytes');
  assert.deepEqual(logs, [], 'nothing to say: the proxier logs the syncs');

  // Removing the service closes its listeners.
  assert.deepEqual(await s.sync(state()), { full: false, rules: 0 });
  assert.equal(await connectOutcome('127.77.2.2', port), 'ECONNREFUSED');
});

test('a listener that cannot bind is logged once and left out; the child keeps serving', async () => {
  const [a] = await endpoints('a');
  const squatter = createServer();
  const busy = await freePort('127.77.2.4');
  await new Promise<void>((r) => squatter.listen(busy, '127.77.2.4', r));
  cleanups.push(() => new Promise((r) => squatter.close(r)));
  const okPort = await freePort('127.77.2.5');
  const { s, logs } = syncer();
  const st = state(svc('busy', '127.77.2.4', busy, [a.port]), svc('ok', '127.77.2.5', okPort, [a.port]));
  assert.deepEqual(await s.sync(st), { full: true, rules: 1 });
  assert.deepEqual(await s.sync(st), { full: false, rules: 1 });
  const failures = logs.filter((l) => l.startsWith('proxy: userspace listener failed:'));
  assert.deepEqual(failures, [`proxy: userspace listener failed: tcp 127.77.2.4:${busy} (default/busy): EADDRINUSE listen EADDRINUSE: address already in use 127.77.2.4:${busy}`]);
  assert.equal(await whoAnswers('127.77.2.5', okPort), 'a');
});

test('a dead child is restarted with the last table; a sync after a death is full', async () => {
  const [a] = await endpoints('a');
  const { s, logs } = syncer();
  const port = await freePort('127.77.2.6');
  const st = state(svc('web', '127.77.2.6', port, [a.port]));
  await s.sync(st);
  const first = s.pid!;
  process.kill(first, 'SIGKILL');
  await waitFor('the child to die', () => !alive(first));
  // Restarted on its own after ~1 s backoff, listening again without another sync.
  await waitFor('a new child', () => s.pid !== undefined && s.pid !== first);
  await waitFor('the listener back', async () => (await connectOutcome('127.77.2.6', port)) === 'open');
  assert.ok(logs.some((l) => /^proxy: userspace relay child ended \(killed by SIGKILL\); restarting in 1s$/.test(l)), logs.join('\n'));

  const second = s.pid!;
  process.kill(second, 'SIGKILL');
  await waitFor('the child to die', () => !alive(second));
  assert.deepEqual(await s.sync(st), { full: true, rules: 1 });
  assert.equal(await whoAnswers('127.77.2.6', port), 'a');
});

test('close ends the child and its listeners; sync after close fails with CLOSED', async () => {
  const [a] = await endpoints('a');
  const { s } = syncer();
  const port = await freePort('127.77.2.6');
  await s.sync(state(svc('web', '127.77.2.6', port, [a.port])));
  const pid = s.pid!;
  await s.close();
  assert.equal(alive(pid), false);
  assert.equal(await connectOutcome('127.77.2.6', port), 'ECONNREFUSED');
  await assert.rejects(s.sync(state()), (e: RelayError) => e instanceof RelayError && e.code === 'CLOSED');
});

test('a child that cannot start fails the sync with CHILD_EXITED', async () => {
  const { s } = syncer(['false']);
  await assert.rejects(s.sync(state()), (e: RelayError) => e instanceof RelayError && e.code === 'CHILD_EXITED' && /exit 1/.test(e.message));
  await s.close();
});

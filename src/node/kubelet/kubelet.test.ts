/**
 * The kubelet against an in-memory API and a fake sandbox manager: pods
 * run as real host processes (the host's `sh` through the busybox image;
 * the sandbox's enterPrefix() is empty, its "pod IP" 127.0.0.1, nothing
 * listens), so status, environment, init order, completion and deletion
 * are checked without root or namespaces.
 *
 * Plan: node "n1" at 127.0.0.1; pods in "default"; ConfigMap "cfg"
 * (color=blue), Secret "sec" (token=s3cret), Service "web" 10.96.0.20:80.
 * Every process is stopped by the kubelet's shutdown in `after`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceDef } from '../../api/resources.ts';
import { ClientError, type Client, type WatchEventMsg } from '../../client/client.ts';
import type { NodeSandboxManager } from '../network/sandbox.ts';
import { scaledBackoff } from '../runtime/backoff.ts';
import { ContainerRuntime } from '../runtime/container-runtime.ts';
import type { Sandbox } from '../types.ts';
import { Kubelet } from './kubelet.ts';

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Lists, watches, gets, status patches (merged) and deletes, for the kinds the kubelet reads. */
class FakeApi {
  readonly store = new Map<string, Map<string, KubeObject>>();
  readonly watchers: { plural: string; cb: (e: WatchEventMsg) => void }[] = [];
  readonly deletes: { name: string; opts: any }[] = [];
  #rv = 1;

  put(plural: string, obj: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED' = 'ADDED'): KubeObject {
    const m = this.store.get(plural) ?? new Map();
    this.store.set(plural, m);
    obj.metadata.resourceVersion = String(++this.#rv);
    if (type === 'DELETED') m.delete(keyOf(obj));
    else m.set(keyOf(obj), obj);
    for (const w of this.watchers) if (w.plural === plural) w.cb({ type, object: structuredClone(obj) });
    return obj;
  }

  pod(name: string): KubeObject {
    return this.store.get('pods')!.get(`default/${name}`)!;
  }

  asClient(): Client {
    const find = (def: ResourceDef, ns: string | undefined, name: string) => this.store.get(def.plural)?.get(`${ns ?? ''}/${name}`);
    return {
      list: async (def: ResourceDef) => ({ apiVersion: 'v1', kind: def.listKind, metadata: { resourceVersion: String(this.#rv) }, items: [...(this.store.get(def.plural)?.values() ?? [])].map((o) => structuredClone(o)) }),
      watch: (def: ResourceDef, _q: string, cb: (e: WatchEventMsg) => void, signal: AbortSignal) => {
        this.watchers.push({ plural: def.plural, cb });
        return new Promise<void>((ok) => signal.addEventListener('abort', () => ok()));
      },
      get: async (def: ResourceDef, ns: string | undefined, name: string) => {
        const o = find(def, ns, name);
        if (!o) throw new ClientError(404, `${def.plural} "${name}" not found`);
        return structuredClone(o);
      },
      patch: async (def: ResourceDef, ns: string, name: string, patch: any, _type: string, sub: string) => {
        assert.equal(sub, 'status');
        const o = find(def, ns, name);
        if (!o) throw new ClientError(404, `${def.plural} "${name}" not found`);
        return structuredClone(this.put(def.plural, { ...o, status: { ...o.status, ...patch.status } }, 'MODIFIED'));
      },
      delete: async (def: ResourceDef, ns: string, name: string, opts: any) => {
        const o = find(def, ns, name);
        if (!o) throw new ClientError(404, `${def.plural} "${name}" not found`);
        if (opts.preconditions?.uid && opts.preconditions.uid !== o.metadata.uid) throw new ClientError(409, 'uid precondition');
        this.deletes.push({ name, opts });
        this.put(def.plural, o, 'DELETED');
        return o;
      },
    } as unknown as Client;
  }
}

function fakeSandboxes(dir: string): NodeSandboxManager & { live: Set<string> } {
  const live = new Set<string>();
  const sandbox = (uid: string): Sandbox => ({ id: uid.slice(0, 8), podIP: '127.0.0.1', pausePid: 0, enterPrefix: () => [], dir: join(dir, 'pods', uid) });
  return {
    live,
    ensure: async (spec) => {
      live.add(spec.uid);
      return sandbox(spec.uid);
    },
    remove: async (uid) => void live.delete(uid),
    list: async () => [...live].map((uid) => ({ uid, podIP: '127.0.0.1' })),
    removeAll: async () => live.clear(),
  };
}

const node = { nodeName: 'n1', nodeIP: '127.0.0.1', podCidr: '10.244.0.0/24', gateway: '10.244.0.1', netns: '', execPrefix: () => [] };

function podObj(name: string, spec: object, extra: object = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: randomUUID(), labels: { app: name }, ...extra }, spec: { nodeName: 'n1', ...spec }, status: { phase: 'Pending' } };
}

const sh = (name: string, script: string, more: object = {}) => ({ name, image: 'busybox', command: ['sh', '-c', script], ...more });

describe('kubelet (in-memory API, fake sandboxes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nk-kubelet-'));
  const api = new FakeApi();
  const events: string[] = [];
  const sandboxes = fakeSandboxes(dir);
  const ac = new AbortController();
  api.put('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { color: 'blue' } } as KubeObject);
  api.put('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'default' }, data: { token: Buffer.from('s3cret').toString('base64') } } as KubeObject);
  api.put('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.20', ports: [{ port: 80, protocol: 'TCP' }] } });
  const kubelet = new Kubelet({
    client: api.asClient(),
    recorder: { event: (o, type, reason, message) => void events.push(`${o.metadata.name} ${type} ${reason} ${message}`) },
    node,
    sandboxes,
    runtime: new ContainerRuntime(),
    kernel: { run: async () => ({ stdout: '', stderr: '', code: 0 }) },
    dataDir: dir,
    dns: { clusterDns: ['10.96.0.10'], domain: 'cluster.local', host: { nameservers: [], searches: [], options: [] } },
    resolve: { bindAddress: '127.0.0.1' },
    facts: { cpus: 2, memoryBytes: 4 << 30 },
    backoff: scaledBackoff(100),
    log: () => {},
  });

  after(async () => {
    await kubelet.shutdown(0);
    ac.abort();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a pod: Running with the sandbox IP, environment from the API, events in order', async () => {
    await kubelet.start(ac.signal);
    assert.ok(kubelet.ready());
    const out = join(dir, 'env.out');
    api.put(
      'pods',
      podObj('env', {
        containers: [
          sh('app', `env > ${out}; exec sleep 60`, {
            env: [
              { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } },
              { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'sec', key: 'token' } } },
              { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
              { name: 'GREETING', value: 'hi $(POD)' },
            ],
            envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'cfg' } }],
          }),
        ],
      }),
    );
    const st = await waitFor('Running and Ready', () => {
      const s = api.pod('env').status;
      return s.phase === 'Running' && s.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True' ? s : undefined;
    });
    assert.equal(st.podIP, '127.0.0.1');
    assert.equal(st.hostIP, '127.0.0.1');
    assert.equal(st.containerStatuses[0].restartCount, 0);
    assert.equal(st.containerStatuses[0].image, 'docker.io/library/busybox:latest');
    const env = Object.fromEntries((await waitFor('env written', () => existsSync(out) && readFileSync(out, 'utf8'))).trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(env.COLOR, 'blue');
    assert.equal(env.TOKEN, 's3cret');
    assert.equal(env.POD, 'env');
    assert.equal(env.NODE, 'n1');
    assert.equal(env.IP, '127.0.0.1');
    assert.equal(env.LABELS, 'app="env"');
    assert.equal(env.GREETING, 'hi env');
    assert.equal(env.CFG_color, 'blue');
    assert.equal(env.WEB_SERVICE_HOST, '10.96.0.20');
    assert.equal(env.HOSTNAME, 'env');
    const mine = events.filter((e) => e.startsWith('env ')).map((e) => e.split(' ')[2]);
    assert.deepEqual(mine, ['Pulled', 'Created', 'Started']);
  });

  it('ends a graceful deletion: containers stopped, sandbox removed, DELETE with grace 0 and the uid', async () => {
    const pod = api.pod('env');
    const uid = pod.metadata.uid!;
    const pid = kubelet.worker('default', 'env')!.containers()[0].current()!.pid;
    api.put('pods', { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 5 } }, 'MODIFIED');
    await waitFor('deleted', () => api.deletes.some((d) => d.name === 'env'));
    assert.deepEqual(api.deletes.find((d) => d.name === 'env')!.opts, { gracePeriodSeconds: 0, preconditions: { uid } });
    assert.ok(!sandboxes.live.has(uid));
    assert.ok(!existsSync(`/proc/${pid}/cmdline`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '));
    assert.ok(!existsSync(join(dir, 'pods', uid)), 'the pod folder is removed');
    assert.ok(events.includes('env Normal Killing Stopping container app'));
  });

  it('runs init containers in order before the containers; a Never pod that exits 0 Succeeds and loses its sandbox', async () => {
    const log = join(dir, 'order.log');
    api.put('pods', podObj('inits', { restartPolicy: 'Never', initContainers: [sh('one', `echo one >> ${log}`), sh('two', `echo two >> ${log}`)], containers: [sh('main', `echo main >> ${log}`)] }));
    const st = await waitFor('Succeeded', () => api.pod('inits').status.phase === 'Succeeded' && api.pod('inits').status);
    assert.equal(readFileSync(log, 'utf8'), 'one\ntwo\nmain\n');
    assert.deepEqual(st.initContainerStatuses.map((s: any) => s.state.terminated.reason), ['Completed', 'Completed']);
    assert.deepEqual(st.initContainerStatuses.map((s: any) => s.ready), [true, true], 'a completed init container is ready');
    assert.equal(st.containerStatuses[0].state.terminated.exitCode, 0);
    assert.ok(!sandboxes.live.has(api.pod('inits').metadata.uid!));
    assert.equal(st.conditions.find((c: any) => c.type === 'Ready').reason, 'PodCompleted');
  });

  it('a missing ConfigMap key is CreateContainerConfigError with the kubelet text, retried until it appears', async () => {
    api.put('pods', podObj('cfgerr', { containers: [sh('app', 'exec sleep 60', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'missing' } } }] })] }));
    const waiting = await waitFor('CreateContainerConfigError', () => api.pod('cfgerr').status.containerStatuses?.[0]?.state?.waiting);
    assert.equal(waiting.reason, 'CreateContainerConfigError');
    assert.equal(waiting.message, "couldn't find key missing in ConfigMap default/cfg");
    assert.ok(events.includes("cfgerr Warning Failed Error: couldn't find key missing in ConfigMap default/cfg"));
    const cm = api.store.get('configmaps')!.get('default/cfg')!;
    api.put('configmaps', { ...cm, data: { ...(cm as any).data, missing: 'found' } } as KubeObject, 'MODIFIED');
    await waitFor('running once the key exists', () => api.pod('cfgerr').status.containerStatuses?.[0]?.state?.running, 15_000);
  });

  it('a failing liveness probe kills the container and the kubelet restarts it (Unhealthy, Killing)', async () => {
    const flag = join(dir, 'alive');
    api.put(
      'pods',
      podObj('live', {
        terminationGracePeriodSeconds: 1,
        containers: [sh('app', `touch ${flag}; exec sleep 60`, { livenessProbe: { exec: { command: ['sh', '-c', `test -e ${flag} && rm ${flag}`] }, periodSeconds: 1, failureThreshold: 1 } })],
      }),
    );
    const st = await waitFor('restarted after a failed liveness probe', () => {
      const c = api.pod('live').status.containerStatuses?.[0];
      return c?.restartCount >= 1 && c.state?.running ? c : undefined;
    }, 15_000);
    assert.equal(st.lastState.terminated.exitCode, 143, 'SIGTERM');
    assert.ok(events.some((e) => e.startsWith('live Warning Unhealthy Liveness probe failed')));
    assert.ok(events.includes('live Normal Killing Container app failed liveness probe, will be restarted'));
  });

  it('a pod deleted from the API while running is stopped and cleaned up', async () => {
    api.put('pods', podObj('forced', { containers: [sh('app', 'exec sleep 60')] }));
    await waitFor('running', () => api.pod('forced').status.containerStatuses?.[0]?.state?.running);
    const w = kubelet.worker('default', 'forced')!;
    const rc = w.containers()[0].current()!;
    api.put('pods', api.pod('forced'), 'DELETED');
    const exit = await rc.exited;
    assert.equal(exit.signal, 'SIGTERM');
    await waitFor('forgotten', () => !kubelet.worker('default', 'forced'));
    assert.ok(!sandboxes.live.has(w.uid));
  });
});

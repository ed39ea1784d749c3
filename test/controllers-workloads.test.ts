/**
 * End-to-end: the workload controllers (ReplicaSet, ReplicationController,
 * Deployment) against a real `nanokube server`, driven by the real kubectl.
 * There is no node agent yet, so the test plays the kubelet through the
 * API: it binds pods (pods/binding), reports them Running and Ready
 * (pods/status, merge patch) and finishes graceful deletions.
 *
 * Address plan (made up; nothing is sent to these addresses, the only
 * traffic is to the loopback API):
 *   node-1          192.168.0.10
 *   pod IPs         10.244.0.2 - 10.244.0.254, handed out in creation order
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../src/api/meta.ts';
import { findKind } from '../src/api/resources.ts';
import { Client, ClientError, resourcePath } from '../src/client/client.ts';
import { removeDir, startCluster, type Cluster } from './harness.ts';

const NODE = 'node-1';
const HOST_IP = '192.168.0.10';
const podIp = (n: number) => `10.244.0.${n}`;
const podDef = findKind('', 'Pod')!;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The kubelet's part, played through the API. */
class FakeKubelet {
  /** While set, new pods stay unbound and Pending. */
  hold = false;
  /** Minimum time between two pods turning Ready (0: all at once). */
  readyEveryMs = 0;
  readonly #client: Client;
  readonly #ips = new Map<string, string>();
  #next = 2;
  #lastReady = 0;
  #stopped = false;
  #loop?: Promise<void>;

  constructor(client: Client) {
    this.#client = client;
  }

  start(): void {
    this.#loop = (async () => {
      while (!this.#stopped) {
        await this.#tick().catch(() => undefined);
        await sleep(25);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  async #tick(): Promise<void> {
    const pods = (await this.#client.list(podDef)).items;
    for (const p of pods) {
      const { namespace: ns, name } = p.metadata;
      const ignore = (e: unknown) => {
        if (!(e instanceof ClientError && [404, 409].includes(e.code))) throw e;
      };
      if (p.metadata.deletionTimestamp) {
        await this.#client.delete(podDef, ns, name!, { gracePeriodSeconds: 0 }).catch(ignore);
      } else if (!p.spec.nodeName) {
        if (this.hold) continue;
        const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: NODE } };
        await this.#client.request('POST', resourcePath(podDef, ns, name, 'binding'), binding).catch(ignore);
      } else if (p.status?.phase === 'Pending' && !this.hold) {
        if (this.readyEveryMs && Date.now() - this.#lastReady < this.readyEveryMs) continue;
        this.#lastReady = Date.now();
        await this.#client.patch(podDef, ns, name!, { status: this.#running(p) }, 'application/merge-patch+json', 'status').catch(ignore);
      }
    }
  }

  #running(p: KubeObject): object {
    const t = now();
    const ip = this.#ips.get(p.metadata.uid!) ?? podIp(this.#next++);
    this.#ips.set(p.metadata.uid!, ip);
    const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: t });
    return {
      phase: 'Running',
      hostIP: HOST_IP,
      hostIPs: [{ ip: HOST_IP }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: t,
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(cond),
      containerStatuses: p.spec.containers.map((c: any) => ({ name: c.name, image: c.image, imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: t } } })),
    };
  }
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const isReady = (p: KubeObject) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

describe('workload controllers', () => {
  let c: Cluster;
  let client: Client;
  let kubelet: FakeKubelet;

  /** kubectl without blocking the event loop, so the fake kubelet keeps working (rollout status waits on it). */
  const kubectlAsync = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: c.kubeconfig }, timeout: 90_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}${stdout}`)) : resolve(stdout),
      );
    });
  const pods = async (ns: string, selector: string) => (await client.list(podDef, ns, `labelSelector=${encodeURIComponent(selector)}`)).items;
  const json = (args: string[]) => JSON.parse(c.kubectl([...args, '-o', 'json']).stdout);
  const apply = (yaml: string) => c.kubectl(['apply', '-f', '-'], { input: yaml });

  before(async () => {
    c = await startCluster();
    client = new Client({ server: c.server, token: c.token, caCert: readFileSync(join(c.dataDir, 'tls/ca.crt'), 'utf8'), userAgent: 'fake-kubelet' });
    kubelet = new FakeKubelet(client);
    kubelet.start();
  });
  after(async () => {
    await kubelet?.stop();
    client?.close();
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  describe('ReplicaSet', () => {
    const rs = (name: string, replicas: number, app = name) =>
      `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: ${name}\n  namespace: rs\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: ${app}}\n  template:\n    metadata:\n      labels: {app: ${app}}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n`;

    it('creates pods named after it, owned by it, and reports them ready', async () => {
      c.kubectl(['create', 'namespace', 'rs']);
      apply(rs('myapp', 3));
      await waitFor('3 ready pods', async () => (await pods('rs', 'app=myapp')).filter(isReady).length === 3);
      await waitFor('READY 3', () => /^myapp\s+3\s+3\s+3\s/m.test(c.kubectl(['get', 'rs', 'myapp', '-n', 'rs']).stdout));
      const owner = json(['get', 'rs', 'myapp', '-n', 'rs']);
      for (const p of await pods('rs', 'app=myapp')) {
        assert.match(p.metadata.name!, /^myapp-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
        assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'myapp', uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      }
      assert.deepEqual(owner.status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
      const events = c.kubectl(['describe', 'rs', 'myapp', '-n', 'rs']).stdout;
      assert.equal(events.match(/Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: myapp-\w{5}/g)?.length, 3);
    });

    it('scales down by deleting the pods that are not ready first', async () => {
      const ready = new Set((await pods('rs', 'app=myapp')).map((p) => p.metadata.name));
      kubelet.hold = true;
      c.kubectl(['scale', 'rs', 'myapp', '-n', 'rs', '--replicas=5']);
      await waitFor('5 pods', async () => (await pods('rs', 'app=myapp')).length === 5);
      c.kubectl(['scale', 'rs', 'myapp', '-n', 'rs', '--replicas=3']);
      await waitFor('3 pods', async () => (await pods('rs', 'app=myapp')).length === 3);
      assert.deepEqual(new Set((await pods('rs', 'app=myapp')).map((p) => p.metadata.name)), ready);
      assert.equal(c.kubectl(['describe', 'rs', 'myapp', '-n', 'rs']).stdout.match(/SuccessfulDelete\s+\S+\s+replicaset-controller\s+Deleted pod: myapp-\w{5}/g)?.length, 2);
      kubelet.hold = false;
    });

    it('adopts a matching orphan and releases a pod whose labels stop matching', async () => {
      c.kubectl(['run', 'stray', '-n', 'rs', '--image=nginx', '--labels=app=adopt']);
      // Pods and replica sets are separate watches: let the stray pod reach every cache before its owner appears.
      await waitFor('stray running', async () => isReady(await client.get(podDef, 'rs', 'stray')));
      apply(rs('adopt', 1));
      const rsUid = json(['get', 'rs', 'adopt', '-n', 'rs']).metadata.uid;
      await waitFor('adoption', async () => (await client.get(podDef, 'rs', 'stray')).metadata.ownerReferences?.[0]?.uid === rsUid);
      await sleep(300);
      assert.deepEqual((await pods('rs', 'app=adopt')).map((p) => p.metadata.name), ['stray'], 'the adopted pod counts; no other is made');
      assert.deepEqual(json(['get', 'rs', 'adopt', '-n', 'rs']).status.replicas, 1);
      c.kubectl(['label', 'pod', 'stray', '-n', 'rs', 'app=gone', '--overwrite']);
      await waitFor('release', async () => !(await client.get(podDef, 'rs', 'stray')).metadata.ownerReferences?.length);
      await waitFor('a replacement', async () => (await pods('rs', 'app=adopt')).length === 1);
    });
  });

  describe('ReplicationController under a quota', () => {
    it('ends at the quota with FailedCreate events carrying the quota message', async () => {
      c.kubectl(['create', 'namespace', 'test']);
      c.kubectl(['create', 'quota', 'test-quotas', '-n', 'test', '--hard=pods=3,services=1,replicationcontrollers=1']);
      apply(
        `apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: busybox-ns\n  namespace: test\nspec:\n  replicas: 4\n  selector: {app: busybox}\n  template:\n    metadata:\n      labels: {app: busybox}\n    spec:\n      containers:\n      - name: busybox\n        image: busybox\n        command: ["sleep", "3600"]\n`,
      );
      await waitFor('FailedCreate', () => c.kubectl(['describe', 'rc', 'busybox-ns', '-n', 'test']).stdout.includes('FailedCreate'));
      await waitFor('3 ready pods', async () => (await pods('test', 'app=busybox')).filter(isReady).length === 3);
      await sleep(500);
      assert.equal((await pods('test', 'app=busybox')).length, 3);
      const d = c.kubectl(['describe', 'rc', 'busybox-ns', '-n', 'test']).stdout;
      assert.match(
        d,
        /Warning\s+FailedCreate\s+\S+\s+replication-controller\s+Error creating: pods "busybox-ns-[bcdfghjklmnpqrstvwxz2456789]{5}" is forbidden: exceeded quota: test-quotas, requested: pods=1, used: pods=3, limited: pods=3/,
      );
      assert.match(d, /^Replicas:\s+3 current \/ 4 desired$/m);
      assert.match(c.kubectl(['get', 'rc', '-n', 'test']).stdout, /^busybox-ns\s+4\s+3\s+3\s/m);
      const status = json(['get', 'rc', 'busybox-ns', '-n', 'test']).status;
      assert.equal(status.conditions[0].type, 'ReplicaFailure');
      assert.equal(status.conditions[0].reason, 'FailedCreate');
      assert.match(status.conditions[0].message, /exceeded quota: test-quotas/);
    });
  });

  describe('Deployment', () => {
    const rsNames = () => c.kubectl(['get', 'rs', '-l', 'app=web', '-o', 'name']).stdout.trim().split('\n').filter(Boolean);

    it('creates a replica set and pods, and reports READY, UP-TO-DATE and AVAILABLE', async () => {
      c.kubectl(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2']);
      c.kubectl(['expose', 'deployment', 'web', '--port=80']);
      assert.match(await kubectlAsync(['rollout', 'status', 'deployment/web', '--timeout=60s']), /deployment "web" successfully rolled out/);
      assert.match(c.kubectl(['get', 'deploy', 'web']).stdout, /^web\s+2\/2\s+2\s+2\s/m);
      const [rs] = rsNames();
      assert.match(rs, /^replicaset\.apps\/web-[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
      const r = json(['get', rs]);
      assert.equal(r.metadata.labels['pod-template-hash'], rs.split('-').pop());
      assert.equal(r.spec.selector.matchLabels['pod-template-hash'], rs.split('-').pop());
      assert.equal(r.metadata.annotations['deployment.kubernetes.io/revision'], '1');
      assert.equal(r.metadata.annotations['deployment.kubernetes.io/desired-replicas'], '2');
      assert.equal(r.metadata.annotations['deployment.kubernetes.io/max-replicas'], '3');
      const d = json(['get', 'deploy', 'web']);
      assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '1');
      const conds = Object.fromEntries(d.status.conditions.map((x: any) => [x.type, `${x.status} ${x.reason} ${x.message}`]));
      assert.equal(conds.Available, 'True MinimumReplicasAvailable Deployment has minimum availability.');
      assert.equal(conds.Progressing, `True NewReplicaSetAvailable ReplicaSet "${rs.split('/')[1]}" has successfully progressed.`);
      assert.match(c.kubectl(['describe', 'deploy', 'web']).stdout, new RegExp(`ScalingReplicaSet\\s+\\S+\\s+deployment-controller\\s+Scaled up replica set ${rs.split('/')[1]} from 0 to 2`));
    });

    it('scales with kubectl scale', async () => {
      c.kubectl(['scale', 'deployment/web', '--replicas=4']);
      await kubectlAsync(['rollout', 'status', 'deployment/web', '--timeout=60s']);
      await waitFor('READY 4/4', () => /^web\s+4\/4\s+4\s+4\s/m.test(c.kubectl(['get', 'deploy', 'web']).stdout));
      assert.match(c.kubectl(['describe', 'deploy', 'web']).stdout, /Scaled up replica set web-\w+ from 2 to 4/);
    });

    it('rolls out a new image without dropping below replicas - maxUnavailable ready pods', async () => {
      // 4 replicas, default 25%/25%: maxSurge 1, maxUnavailable 1, so at least 3 ready pods at every moment.
      kubelet.readyEveryMs = 150;
      let minReady = Infinity;
      let minEndpoints = Infinity;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          minReady = Math.min(minReady, (await pods('default', 'app=web')).filter(isReady).length);
          const ep = await client.get(findKind('', 'Endpoints')!, 'default', 'web').catch(() => undefined);
          const addrs = (ep?.subsets ?? []).reduce((n: number, s: any) => n + (s.addresses?.length ?? 0), 0);
          if (ep && minEndpoints !== Infinity) minEndpoints = Math.min(minEndpoints, addrs);
          else if (addrs) minEndpoints = addrs;
          await sleep(10);
        }
      })();
      try {
        c.kubectl(['set', 'image', 'deployment/web', 'nginx=nginx:1.26']);
        const out = await kubectlAsync(['rollout', 'status', 'deployment/web', '--timeout=90s']);
        assert.match(out, /deployment "web" successfully rolled out/);
      } finally {
        sampling = false;
        await sampler;
        kubelet.readyEveryMs = 0;
      }
      assert.ok(minReady >= 3, `ready pods dropped to ${minReady}`);
      // The endpoints controller is built separately: once it publishes web's endpoints, they never run dry.
      if (minEndpoints !== Infinity) assert.ok(minEndpoints >= 1, 'the Service lost every ready endpoint');
      const now = await pods('default', 'app=web');
      assert.equal(now.length, 4);
      for (const p of now) assert.equal(p.spec.containers[0].image, 'nginx:1.26');
      assert.match(c.kubectl(['get', 'deploy', 'web']).stdout, /^web\s+4\/4\s+4\s+4\s/m);
      assert.equal(rsNames().length, 2);
    });

    it('shows history, undoes and restarts', async () => {
      const hist = c.kubectl(['rollout', 'history', 'deployment/web']).stdout;
      assert.match(hist, /^REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>$/m);
      assert.match(c.kubectl(['rollout', 'history', 'deployment/web', '--revision=1']).stdout, /Image:\s+nginx:1\.25/);
      assert.match(c.kubectl(['rollout', 'undo', 'deployment/web']).stdout, /deployment.apps\/web rolled back/);
      await kubectlAsync(['rollout', 'status', 'deployment/web', '--timeout=60s']);
      for (const p of await pods('default', 'app=web')) assert.equal(p.spec.containers[0].image, 'nginx:1.25');
      assert.match(c.kubectl(['rollout', 'history', 'deployment/web']).stdout, /^2\s+<none>\n3\s+<none>$/m);
      assert.equal(rsNames().length, 2, 'undo brings back the old replica set');
      const revived = json(['get', 'rs', '-l', 'app=web']).items.find((r: any) => r.metadata.annotations['deployment.kubernetes.io/revision'] === '3');
      assert.equal(revived.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');

      assert.match(c.kubectl(['rollout', 'restart', 'deployment/web']).stdout, /deployment.apps\/web restarted/);
      await kubectlAsync(['rollout', 'status', 'deployment/web', '--timeout=60s']);
      assert.equal(rsNames().length, 3);
      for (const p of await pods('default', 'app=web')) assert.ok(p.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']);
    });

    it('does not roll out while paused, and resumes', async () => {
      c.kubectl(['rollout', 'pause', 'deployment/web']);
      c.kubectl(['set', 'image', 'deployment/web', 'nginx=nginx:1.27']);
      await waitFor('DeploymentPaused', () => /Progressing\s+Unknown\s+DeploymentPaused/.test(c.kubectl(['describe', 'deploy', 'web']).stdout));
      await sleep(500);
      assert.equal(rsNames().length, 3, 'no new replica set while paused');
      c.kubectl(['rollout', 'resume', 'deployment/web']);
      await kubectlAsync(['rollout', 'status', 'deployment/web', '--timeout=60s']);
      for (const p of await pods('default', 'app=web')) assert.equal(p.spec.containers[0].image, 'nginx:1.27');
      assert.equal(rsNames().length, 4);
    });

    it('keeps revisionHistoryLimit old replica sets', async () => {
      c.kubectl(['patch', 'deployment/web', '-p', '{"spec":{"revisionHistoryLimit":1}}']);
      await waitFor('old replica sets deleted', () => rsNames().length === 2);
      await sleep(300);
      assert.equal(rsNames().length, 2);
    });

    it('recreates: old pods are gone before new ones start', async () => {
      apply(
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rec\nspec:\n  replicas: 2\n  strategy: {type: Recreate}\n  selector:\n    matchLabels: {app: rec}\n  template:\n    metadata:\n      labels: {app: rec}\n    spec:\n      containers:\n      - name: c\n        image: busybox:1.36\n`,
      );
      await kubectlAsync(['rollout', 'status', 'deployment/rec', '--timeout=60s']);
      let overlap = false;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const images = new Set((await pods('default', 'app=rec')).map((p) => p.spec.containers[0].image));
          if (images.size > 1) overlap = true;
          await sleep(10);
        }
      })();
      try {
        c.kubectl(['set', 'image', 'deployment/rec', 'c=busybox:1.37']);
        await kubectlAsync(['rollout', 'status', 'deployment/rec', '--timeout=60s']);
      } finally {
        sampling = false;
        await sampler;
      }
      assert.equal(overlap, false);
      assert.match(c.kubectl(['get', 'deploy', 'rec']).stdout, /^rec\s+2\/2\s+2\s+2\s/m);
      assert.match(c.kubectl(['describe', 'deploy', 'rec']).stdout, /Scaled down replica set rec-\w+ from 2 to 0/);
    });
  });
});

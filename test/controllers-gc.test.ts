/**
 * End-to-end: the garbage collector with the real kubectl —
 * `kubectl delete --cascade=background|foreground|orphan`, dangling owner
 * references, and owners of several kinds. The test plays the kubelet
 * through the API (endpoints-kubelet.ts), so graceful pod deletions finish
 * only when it lets them. Only the loopback API is contacted.
 *
 * Address plan: node-a; pods of ReplicaSet X are at
 * 10.244.9.N (N counts up from 10 over the whole file).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { removeDir, startCluster, type Cluster } from './harness.ts';
import { TestKubelet, podYaml, sleep, waitFor } from './endpoints-kubelet.ts';

describe('garbage collector', () => {
  let c: Cluster;
  let kubelet: TestKubelet;
  let ip = 10;
  const apply = (yaml: string) => c.kubectl(['apply', '-f', '-'], { input: yaml });
  const json = (args: string[]) => JSON.parse(c.kubectl([...args, '-o', 'json']).stdout);
  const exists = (kind: string, name: string) => c.kubectl(['get', kind, name, '--ignore-not-found', '-o', 'name']).stdout.trim() !== '';
  /** kubectl without blocking the event loop, for commands that wait on the test kubelet. */
  const kubectlAsync = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: c.kubeconfig }, timeout: 60_000 }, (err, out, stderr) => (err ? reject(new Error(stderr)) : resolve(out))),
    );

  /**
   * A ReplicaSet with three running pods it owns. The pods are made here and
   * the reference written here too, so the test does not depend on the
   * ReplicaSet controller (which, when it runs, adopts the same pods).
   */
  async function replicaSet(name: string): Promise<{ uid: string; pods: string[] }> {
    const pods = [0, 1, 2].map((i) => `${name}-${i}`);
    apply(pods.map((n) => podYaml({ name: n, labels: { app: name }, node: 'node-a', ports: [{ port: 8080 }] })).join('---\n'));
    for (const n of pods) await kubelet.run('default', n, `10.244.9.${ip++}`, true);
    apply(
      `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: ${name}\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n      containers:\n      - name: app\n        image: registry.k8s.io/e2e-test-images/agnhost:2.39\n`,
    );
    const uid = json(['get', 'rs', name]).metadata.uid;
    const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid, controller: true, blockOwnerDeletion: true };
    for (const n of pods) c.kubectl(['patch', 'pod', n, '--type=merge', '-p', JSON.stringify({ metadata: { ownerReferences: [ref] } })]);
    await sleep(200);
    assert.deepEqual(json(['get', 'pods', '-l', `app=${name}`]).items.map((p: any) => p.metadata.name).sort(), pods, 'exactly our three pods');
    return { uid, pods };
  }
  const podsOf = (name: string) => json(['get', 'pods', '-l', `app=${name}`]).items;

  before(async () => {
    c = await startCluster();
    kubelet = new TestKubelet(c, [{ name: 'node-a' }]);
    await kubelet.start();
  });
  after(async () => {
    await kubelet?.stop();
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  it('background (the default): deleting a ReplicaSet deletes its pods', async () => {
    await replicaSet('bg');
    await kubectlAsync(['delete', 'rs', 'bg']);
    assert.equal(exists('rs', 'bg'), false);
    await waitFor('pods gone', () => podsOf('bg').length === 0);
  });

  it('orphan: kubectl delete rs --cascade=orphan leaves its pods, without the owner reference', async () => {
    const { pods } = await replicaSet('orphan');
    await kubectlAsync(['delete', 'rs', 'orphan', '--cascade=orphan']);
    assert.equal(exists('rs', 'orphan'), false);
    await sleep(500);
    const left = podsOf('orphan');
    assert.deepEqual(left.map((p: any) => p.metadata.name).sort(), pods);
    for (const p of left) {
      assert.equal(p.metadata.ownerReferences, undefined);
      assert.equal(p.metadata.deletionTimestamp, undefined);
    }
    assert.match(c.kubectl(['get', 'pods', '-l', 'app=orphan']).stdout, /^orphan-0\s+\d\/1\s+Running\s/m);
  });

  it('foreground: the ReplicaSet stays until its pods are gone', async () => {
    await replicaSet('fg');
    kubelet.hold = true;
    c.kubectl(['delete', 'rs', 'fg', '--cascade=foreground', '--wait=false']);
    await waitFor('pods terminating', () => podsOf('fg').every((p: any) => p.metadata.deletionTimestamp));
    await sleep(300);
    const rs = json(['get', 'rs', 'fg']);
    assert.ok(rs.metadata.deletionTimestamp);
    assert.deepEqual(rs.metadata.finalizers, ['foregroundDeletion']);
    assert.equal(podsOf('fg').length, 3);
    kubelet.release();
    await waitFor('rs gone after its pods', () => !exists('rs', 'fg'));
    assert.equal(podsOf('fg').length, 0);
    // kubectl's own wait returns once the owner is gone.
    await replicaSet('fg2');
    await kubectlAsync(['delete', 'rs', 'fg2', '--cascade=foreground']);
    assert.equal(podsOf('fg2').length, 0);
  });

  it('deletes an object whose owner does not exist (dangling reference)', async () => {
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'no-such-owner', uid: '00000000-0000-0000-0000-000000000001' };
    apply(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dangling\n  ownerReferences:\n  - ${JSON.stringify(ref)}\ndata:\n  a: b\n`);
    await waitFor('dangling configmap deleted', () => !exists('configmap', 'dangling'));
    // A reference to an owner of the same name but another uid is dangling too.
    c.kubectl(['create', 'configmap', 'owner-x']);
    const wrong = { ...ref, name: 'owner-x' };
    apply(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wrong-uid\n  ownerReferences:\n  - ${JSON.stringify(wrong)}\n`);
    await waitFor('wrong-uid configmap deleted', () => !exists('configmap', 'wrong-uid'));
    assert.equal(exists('configmap', 'owner-x'), true);
  });

  it('follows owners of any kind and keeps a dependent that still has another owner', async () => {
    c.kubectl(['create', 'secret', 'generic', 'owner-s', '--from-literal=a=b']);
    c.kubectl(['create', 'configmap', 'owner-c']);
    const s = json(['get', 'secret', 'owner-s']).metadata.uid;
    const cm = json(['get', 'configmap', 'owner-c']).metadata.uid;
    const refS = { apiVersion: 'v1', kind: 'Secret', name: 'owner-s', uid: s };
    const refC = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner-c', uid: cm };
    apply(
      [
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: only-s\n  ownerReferences:\n  - ${JSON.stringify(refS)}\n`,
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: both\n  ownerReferences:\n  - ${JSON.stringify(refS)}\n  - ${JSON.stringify(refC)}\n`,
      ].join('---\n'),
    );
    await sleep(300);
    assert.equal(exists('configmap', 'only-s'), true, 'an object with a live owner stays');
    c.kubectl(['delete', 'secret', 'owner-s']);
    await waitFor('only-s deleted', () => !exists('configmap', 'only-s'));
    await waitFor('both loses the gone owner', () => json(['get', 'configmap', 'both']).metadata.ownerReferences?.length === 1);
    assert.deepEqual(json(['get', 'configmap', 'both']).metadata.ownerReferences, [refC]);
  });
});

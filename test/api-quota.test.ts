/**
 * End-to-end: S8 (namespaces and quotas, control-plane parts) with the real
 * kubectl. Pods stay Pending (no node in this test); the quota counts them.
 * Loopback API only.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { curlApiAsync, removeDir, startCluster, type Cluster, waitFor } from './harness.ts';

const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: test\nspec:\n  containers:\n  - name: busybox\n    image: busybox\n    command: ["sleep", "3600"]\n`;

describe('namespaces and quotas', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  it('refuses what exceeds the quota with upstream text', async () => {
    c.kubectl(['create', 'namespace', 'test']);
    c.kubectl(['create', 'quota', 'test-quotas', '-n', 'test', '--hard=pods=3,services=1,replicationcontrollers=1']);
    for (const n of ['pod1', 'pod2', 'pod3']) c.kubectl(['apply', '-f', '-'], { input: pod(n) });
    const r = c.kubectl(['apply', '-f', '-'], { input: pod('pod4'), allowFail: true });
    assert.match(r.stderr, /pods "pod4" is forbidden: exceeded quota: test-quotas, requested: pods=1, used: pods=3, limited: pods=3/);
    c.kubectl(['create', 'service', 'clusterip', 'one', '--tcp=80:80', '-n', 'test']);
    const s = c.kubectl(['create', 'service', 'clusterip', 'two', '--tcp=80:80', '-n', 'test'], { allowFail: true });
    assert.match(s.stderr, /services "two" is forbidden: exceeded quota: test-quotas, requested: services=1, used: services=1, limited: services=1/);
  });

  it('shows used and hard in describe', async () => {
    await waitFor(() => /pods\s+3\s+3/.test(c.kubectl(['describe', 'quota', '-n', 'test']).stdout));
    const q = c.kubectl(['describe', 'quota', '-n', 'test']).stdout;
    assert.match(q, /^Resource\s+Used\s+Hard$/m);
    assert.match(q, /^pods\s+3\s+3$/m);
    assert.match(q, /^replicationcontrollers\s+0\s+1$/m);
    assert.match(q, /^services\s+1\s+1$/m);
    const ns = c.kubectl(['describe', 'namespace/test']).stdout;
    assert.match(ns, /^Status:\s+Active$/m);
    assert.match(ns, /Name:\s+test-quotas/);
    assert.match(ns, /pods\s+3\s+3/);
  });

  it('counts exactly under concurrent creates', async () => {
    c.kubectl(['create', 'namespace', 'race']);
    c.kubectl(['create', 'quota', 'q', '-n', 'race', '--hard=configmaps=5']);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        curlApiAsync(c, '/api/v1/namespaces/race/configmaps', {
          method: 'POST',
          type: 'application/json',
          body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` } }),
        }).then((r) => r.status),
      ),
    );
    assert.equal(results.filter((s) => s === 201).length, 5);
    assert.equal(results.filter((s) => s === 403).length, 15);
  });

  it('deletes a namespace and everything in it', () => {
    assert.match(c.kubectl(['delete', 'namespace', 'test']).stdout, /namespace "test" deleted/);
    assert.match(c.kubectl(['get', 'ns', 'test'], { allowFail: true }).stderr, /namespaces "test" not found/);
    assert.equal(c.kubectl(['get', 'pods', '-n', 'test', '-o', 'name']).stdout.trim(), '');
  });
});

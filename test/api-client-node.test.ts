/**
 * End-to-end: the official JavaScript client (@kubernetes/client-node)
 * lists, watches through an informer, and creates against nanokube.
 * Loopback API only.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { removeDir, startCluster, type Cluster, waitFor } from './harness.ts';

describe('@kubernetes/client-node', () => {
  let c: Cluster;
  let kc: k8s.KubeConfig;
  before(async () => {
    c = await startCluster();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfig);
  });
  after(async () => {
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  it('lists namespaces', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const list = await core.listNamespace();
    assert.ok(list.items.some((n) => n.metadata?.name === 'kube-system'));
  });

  it('creates and sees the object through an informer', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update:${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-client' }, data: { a: '1' } } });
      await waitFor(() => seen.includes('add:from-client'));
      await core.patchNamespacedConfigMap(
        { namespace: 'default', name: 'from-client', body: { data: { a: '2' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await waitFor(() => seen.includes('update:from-client'));
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'from-client' });
      await waitFor(() => seen.includes('delete:from-client'));
      assert.equal(informer.list().some((o) => o.metadata?.name === 'from-client'), false);
    } finally {
      await informer.stop();
    }
  });

  it('creates a Deployment through AppsV1Api', async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const d = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
      },
    });
    assert.equal(d.spec?.replicas, 1);
    assert.equal(d.spec?.strategy?.type, 'RollingUpdate');
  });
});

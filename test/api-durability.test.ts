/**
 * End-to-end: `kill -9` of the server during 100 concurrent creates loses
 * no acknowledged object; a restart on the same data dir finds them all.
 * Loopback API only.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { curlApiAsync, removeDir, startCluster } from './harness.ts';

describe('durability', () => {
  it('keeps every acknowledged create across kill -9', async () => {
    const c = await startCluster();
    const acked: string[] = [];
    try {
      const creates = Array.from({ length: 100 }, (_, i) =>
        curlApiAsync(c, '/api/v1/namespaces/default/configmaps', {
          method: 'POST',
          type: 'application/json',
          body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `durable-${i}` }, data: { i: String(i) } }),
        })
          .then((r) => {
            if (r.status === 201) acked.push(`durable-${i}`);
          })
          .catch(() => undefined),
      );
      // Kill while creates are in flight, once some have been acknowledged.
      const end = Date.now() + 20_000;
      while (acked.length < 10 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      await c.stop('SIGKILL');
      await Promise.all(creates);
    } finally {
      await c.stop('SIGKILL');
    }
    assert.ok(acked.length >= 10, 'some creates were acknowledged before the kill');
    const again = await startCluster({ dataDir: c.dataDir });
    try {
      const names = new Set(again.kubectl(['get', 'cm', '-o', 'name']).stdout.split('\n').map((l) => l.replace('configmap/', '')));
      for (const n of acked) assert.ok(names.has(n), `acknowledged ${n} survives`);
      // The restarted server keeps serving writes after the crash.
      again.kubectl(['create', 'configmap', 'after-restart']);
    } finally {
      await again.stop();
      removeDir(c.dataDir);
    }
  });
});

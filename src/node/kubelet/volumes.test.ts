import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { mountVolumes, prepareVolumes, VolumeError } from './volumes.ts';

// Plan: a temp pod folder; ConfigMap "cfg" (a, b), Secret "sec" (token); pod "web" in "shop".
const dir = mkdtempSync(join(tmpdir(), 'nk-volumes-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const facts = { podIP: '10.244.0.7', hostIP: '172.30.0.10', cpus: 1, memoryBytes: 1 };
const objects: Record<string, KubeObject> = {
  'ConfigMap/cfg': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: 'A', b: 'B' } } as KubeObject,
  'Secret/sec': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, data: { token: Buffer.from('t0k').toString('base64') } } as KubeObject,
};
const get = async (kind: string, name: string) => objects[`${kind}/${name}`];
const pod = (volumes: object[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { volumes } });

test('emptyDir, configMap (all keys and items), secret, downwardAPI and projected become files under volumes/', async () => {
  const podDir = join(dir, 'p1');
  const vols = await prepareVolumes(
    pod([
      { name: 'scratch', emptyDir: {} },
      { name: 'all', configMap: { name: 'cfg' } },
      { name: 'some', configMap: { name: 'cfg', items: [{ key: 'b', path: 'sub/bee', mode: 0o600 }] } },
      { name: 'creds', secret: { secretName: 'sec', defaultMode: 0o400 } },
      { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      { name: 'proj', projected: { sources: [{ configMap: { name: 'cfg', items: [{ key: 'a', path: 'a.txt' }] } }, { secret: { name: 'sec' } }] } },
      { name: 'opt', configMap: { name: 'nope', optional: true } },
    ]),
    podDir,
    get,
    facts,
  );
  assert.deepEqual(vols.map((v) => v.name), ['scratch', 'all', 'some', 'creds', 'info', 'proj', 'opt']);
  const v = (n: string, f = '') => join(podDir, 'volumes', n, f);
  assert.ok(statSync(v('scratch')).isDirectory());
  assert.equal(readFileSync(v('all', 'a'), 'utf8'), 'A');
  assert.equal(readFileSync(v('some', 'sub/bee'), 'utf8'), 'B');
  assert.equal(statSync(v('some', 'sub/bee')).mode & 0o777, 0o600);
  assert.equal(readFileSync(v('creds', 'token'), 'utf8'), 't0k');
  assert.equal(statSync(v('creds', 'token')).mode & 0o777, 0o400);
  assert.equal(readFileSync(v('info', 'labels'), 'utf8'), 'app="web"');
  assert.equal(readFileSync(v('proj', 'a.txt'), 'utf8'), 'A');
  assert.equal(readFileSync(v('proj', 'token'), 'utf8'), 't0k');
});

test("a missing source is the kubelet's FailedMount text; item paths stay inside the volume", async () => {
  await assert.rejects(prepareVolumes(pod([{ name: 'c', configMap: { name: 'nope' } }]), join(dir, 'p2'), get, facts), (e: Error) => e instanceof VolumeError && e.message === 'MountVolume.SetUp failed for volume "c" : configmap "nope" not found');
  await assert.rejects(prepareVolumes(pod([{ name: 's', secret: { secretName: 'sec', items: [{ key: 'x', path: 'x' }] } }]), join(dir, 'p3'), get, facts), { message: 'MountVolume.SetUp failed for volume "s" : references non-existent secret key: x' });
  await assert.rejects(prepareVolumes(pod([{ name: 'c', configMap: { name: 'cfg', items: [{ key: 'a', path: '../../escape' }] } }]), join(dir, 'p4'), get, facts), /invalid path/);
});

test('nothing is mounted without a pod mount namespace of its own (hostNetwork, or a pause that shares ours)', async () => {
  const calls: string[][] = [];
  const kernel = { run: async (argv: string[]) => (calls.push(argv), { stdout: '', stderr: '', code: 0 }) };
  const sandbox = { id: 'x', podIP: '10.244.0.7', pausePid: process.pid, dir, enterPrefix: () => [] };
  const r = await mountVolumes(kernel, sandbox, [{ name: 'v', path: dir }], [{ name: 'v', mountPath: '/tmp' }]);
  assert.deepEqual(r, { mounted: [], skipped: ['/tmp'] });
  assert.deepEqual(calls, []);
});

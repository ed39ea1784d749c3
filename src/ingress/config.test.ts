/** Flag parsing: ingress-nginx's spellings, defaults, and errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { parseConfig } from './config.ts';
import { IngressError } from './types.ts';

test('defaults, and the manifest args with $(POD_NAMESPACE) and an ingress-nginx flag nanokube ignores', () => {
  const d = parseConfig([], {});
  assert.deepEqual([d.httpPort, d.httpsPort, d.healthzPort, d.ingressClass, d.controllerClass, d.workers, d.accessLog], [80, 443, 10254, 'nginx', 'k8s.io/ingress-nginx', availableParallelism(), true]);
  const c = parseConfig(
    ['/nginx-ingress-controller', '--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller', '--ingress-class', 'nginx', '--election-id=x', '--workers', '2', '--enable-access-log=false'],
    { POD_NAMESPACE: 'ingress-nginx', NANOKUBE_API_SERVER: 'https://10.96.0.1', NANOKUBE_API_TOKEN: 't' },
  );
  assert.equal(c.publishService, 'ingress-nginx/ingress-nginx-controller');
  assert.equal(c.workers, 2);
  assert.equal(c.accessLog, false);
  assert.deepEqual(c.ignored, ['--election-id=x']);
  assert.equal(c.apiServer, 'https://10.96.0.1');
});

test('bad values are errors with the flag named', () => {
  for (const argv of [['--http-port', 'x'], ['--workers=0x'], ['--publish-service=noslash'], ['--https-port'], ['stray']]) {
    assert.throws(() => parseConfig(argv, {}), (e: unknown) => e instanceof IngressError && e.code === 'BAD_FLAG', argv.join(' '));
  }
});

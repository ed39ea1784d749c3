import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globToRegExp, ImageReferenceError, matchesImage, parseImageReference, referenceNames } from './reference.ts';

describe('parseImageReference', () => {
  const cases: [string, string, string][] = [
    // input, canonical, familiar
    ['nginx', 'docker.io/library/nginx:latest', 'nginx'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27', 'nginx'],
    ['docker.io/library/nginx:latest', 'docker.io/library/nginx:latest', 'nginx'],
    ['index.docker.io/library/nginx', 'docker.io/library/nginx:latest', 'nginx'],
    ['hashicorp/http-echo', 'docker.io/hashicorp/http-echo:latest', 'hashicorp/http-echo'],
    ['registry.k8s.io/e2e-test-images/agnhost:2.53', 'registry.k8s.io/e2e-test-images/agnhost:2.53', 'registry.k8s.io/e2e-test-images/agnhost'],
    ['localhost/app', 'localhost/app:latest', 'localhost/app'],
    ['localhost:5000/app:v1', 'localhost:5000/app:v1', 'localhost:5000/app'],
    [`nginx@sha256:${'ab'.repeat(32)}`, `docker.io/library/nginx@sha256:${'ab'.repeat(32)}`, 'nginx'],
    [`nginx:1.27@sha256:${'ab'.repeat(32)}`, `docker.io/library/nginx:1.27@sha256:${'ab'.repeat(32)}`, 'nginx'],
  ];
  for (const [input, canonical, familiar] of cases) {
    it(input, () => {
      const r = parseImageReference(input);
      assert.equal(r.canonical, canonical);
      assert.equal(r.familiar, familiar);
    });
  }
  it('a digest alone gets no default tag', () => assert.equal(parseImageReference(`nginx@sha256:${'0'.repeat(64)}`).tag, undefined));
  const bad: [string, string][] = [
    ['', 'invalid reference format'],
    ['nginx:', 'invalid reference format'],
    [' nginx', 'invalid reference format'],
    ['NGINX', 'invalid reference format: repository name (library/NGINX) must be lowercase'],
    ['nginx@sha256:xyz', 'invalid reference format'],
    ['a//b', 'invalid reference format'],
    ['nginx:-bad', 'invalid reference format'],
  ];
  for (const [input, msg] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.throws(() => parseImageReference(input), (e: unknown) => e instanceof ImageReferenceError && e.message === msg));
  }
});

describe('matching', () => {
  it('spellings of a reference', () => {
    const names = referenceNames(parseImageReference('nginx:1.27'), 'nginx:1.27');
    assert.deepEqual(new Set(names), new Set(['nginx:1.27', 'docker.io/library/nginx', 'nginx', 'docker.io/library/nginx:1.27']));
  });
  it('globs: * spans slashes and colons, ? one character, the rest literal', () => {
    assert.ok(globToRegExp('*network-multitool*').test('docker.io/praqma/network-multitool:latest'));
    assert.ok(globToRegExp('app:v?').test('app:v1'));
    assert.ok(!globToRegExp('app:v?').test('app:v10'));
    assert.ok(!globToRegExp('a.b').test('axb'));
  });
  it('matchesImage tries every spelling', () => {
    const names = referenceNames(parseImageReference('docker.io/library/nginx:latest'), 'docker.io/library/nginx:latest');
    assert.ok(matchesImage('nginx', names));
    assert.ok(matchesImage('nginx:latest', names));
    assert.ok(!matchesImage('nginx:1.27', names));
  });
});

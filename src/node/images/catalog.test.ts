import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { builtinProgram } from './builtins.ts';
import { composeArgv, DEFAULT_PATH, ImageError, resolveImage, type ResolvedImage, type ResolveOptions } from './catalog.ts';
import { parseUserCatalog } from './user-catalog.ts';
import { NGINX_PIPE_SCRIPT } from './nginx.ts';

// No host lookups: nginx absent unless a test says so, every PATH lookup answered by this table.
const HOST_BINS = new Set(['sh', 'bash', 'curl', 'sleep', 'nslookup']);
const base: ResolveOptions = { nginxPath: null, lookPath: (b) => (HOST_BINS.has(b) ? `/usr/bin/${b}` : null) };
const prog = (name: string, ...args: string[]) => builtinProgram(name, args);

function ok(r: ResolvedImage | ImageError): ResolvedImage {
  if (r instanceof ImageError) assert.fail(`unexpected ImageError: ${r.message}`);
  return r;
}

describe('composeArgv (Kubernetes command/args rules)', () => {
  const image = { entrypoint: ['/ep'], cmd: ['default'] };
  it('neither: ENTRYPOINT + CMD', () => assert.deepEqual(composeArgv(image, {}), ['/ep', 'default']));
  it('command only: CMD is dropped', () => assert.deepEqual(composeArgv(image, { command: ['/bin/x'] }), ['/bin/x']));
  it('args only: ENTRYPOINT + args', () => assert.deepEqual(composeArgv(image, { args: ['a'] }), ['/ep', 'a']));
  it('both: command + args', () => assert.deepEqual(composeArgv(image, { command: ['/bin/x'], args: ['a'] }), ['/bin/x', 'a']));
  it('empty lists count as not given', () => assert.deepEqual(composeArgv(image, { command: [], args: [] }), ['/ep', 'default']));
});

describe('resolveImage: agnhost', () => {
  for (const image of ['registry.k8s.io/e2e-test-images/agnhost:2.53', 'k8s.gcr.io/e2e-test-images/agnhost:2.39', 'registry.k8s.io/e2e-test-images/agnhost@sha256:' + 'a'.repeat(64)]) {
    it(`${image}: default is pause`, () => assert.deepEqual(ok(resolveImage(image, {}, base)).argv, prog('agnhost', 'pause')));
  }
  it('args pick the subcommand, as the ENTRYPOINT is /agnhost', () => {
    assert.deepEqual(ok(resolveImage('registry.k8s.io/e2e-test-images/agnhost:2.53', { args: ['netexec', '--http-port=8080'] }, base)).argv, prog('agnhost', 'netexec', '--http-port=8080'));
  });
  it('command /agnhost maps to the built-in program', () => {
    assert.deepEqual(ok(resolveImage('registry.k8s.io/e2e-test-images/agnhost:2.53', { command: ['/agnhost', 'serve-hostname'], args: ['--port', '9376'] }, base)).argv, prog('agnhost', 'serve-hostname', '--port', '9376'));
  });
  it('other commands are the host userland', () => {
    assert.deepEqual(ok(resolveImage('registry.k8s.io/e2e-test-images/agnhost:2.53', { command: ['sh', '-c', 'sleep 1'] }, base)).argv, ['sh', '-c', 'sleep 1']);
  });
  it('runs with the agent Node, never the system one', () => {
    const r = ok(resolveImage('registry.k8s.io/e2e-test-images/agnhost:2.53', {}, base));
    assert.equal(r.argv[0], process.execPath);
    assert.equal(r.argv[1], join(import.meta.dirname, 'builtin', 'agnhost.ts'));
    assert.equal(r.source, 'agnhost');
    assert.equal(r.image, 'registry.k8s.io/e2e-test-images/agnhost:2.53');
  });
});

describe('resolveImage: nginx', () => {
  for (const image of ['nginx', 'nginx:1.27', 'docker.io/library/nginx:latest', 'index.docker.io/library/nginx', 'nginx:1.27-alpine']) {
    it(`${image} without nginx on the machine: built-in server on port 80`, () => {
      const r = ok(resolveImage(image, {}, base));
      assert.deepEqual(r.argv, prog('nginx', '--listen', '80'));
    });
  }
  it('listens on every TCP container port', () => {
    const r = ok(resolveImage('nginx', { ports: [{ containerPort: 8080 }, { containerPort: 8443, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }] }, base));
    assert.deepEqual(r.argv, prog('nginx', '--listen', '8080', '--listen', '8443'));
  });
  it('canonical name', () => assert.equal(ok(resolveImage('nginx', {}, base)).image, 'docker.io/library/nginx:latest'));
  it('the real binary with a generated config when there is one', () => {
    const r = ok(resolveImage('nginx:1.27', { ports: [{ containerPort: 8080 }] }, { ...base, nginxPath: '/usr/sbin/nginx', stateDir: '/pods/p/c', bindAddress: '127.0.0.1' }));
    assert.deepEqual(r.argv, ['/bin/sh', '-c', NGINX_PIPE_SCRIPT, '/usr/sbin/nginx', '-p', '/pods/p/c', '-c', '/pods/p/c/nginx.conf']);
    const conf = r.files!.find((f) => f.path === '/pods/p/c/nginx.conf')!.content;
    assert.match(conf, /^daemon off;$/m);
    assert.match(conf, /^ {8}listen {7}127\.0\.0\.1:8080;$/m);
    assert.match(conf, /^pid {8}\/pods\/p\/c\/nginx\.pid;$/m);
    assert.match(conf, /root {3}\/pods\/p\/c\/html;/);
    assert.match(conf, /access_log {2}\/dev\/stdout {2}main;/);
    assert.match(r.files!.find((f) => f.path === '/pods/p/c/html/index.html')!.content, /<title>Welcome to nginx!<\/title>/);
  });
  it('the real binary needs a state dir; without one the built-in serves', () => {
    assert.deepEqual(ok(resolveImage('nginx', {}, { ...base, nginxPath: '/usr/sbin/nginx' })).argv, prog('nginx', '--listen', '80'));
  });
  it('args that are not nginx run on the host, after the entrypoint script', () => {
    assert.deepEqual(ok(resolveImage('nginx', { args: ['sh', '-c', 'echo hi'] }, base)).argv, ['sh', '-c', 'echo hi']);
    assert.deepEqual(ok(resolveImage('nginx', { command: ['nginx', '-g', 'daemon off;'] }, base)).argv, prog('nginx', '--listen', '80'));
  });
});

describe('resolveImage: http-echo, pause, shells', () => {
  it('hashicorp/http-echo: args go to /http-echo', () => {
    assert.deepEqual(ok(resolveImage('hashicorp/http-echo:1.0', { args: ['-text=Whalesay A'] }, base)).argv, prog('http-echo', '-text=Whalesay A'));
  });
  it('registry.k8s.io/pause', () => assert.deepEqual(ok(resolveImage('registry.k8s.io/pause:3.10', {}, base)).argv, prog('pause')));
  const shells: [string, string[]][] = [
    ['busybox', ['sh']],
    ['busybox:1.36', ['sh']],
    ['registry.k8s.io/e2e-test-images/busybox:1.36.1-1', ['sh']],
    ['alpine:3.20', ['/bin/sh']],
    ['debian:bookworm', ['bash']],
    ['ubuntu:24.04', ['/bin/bash']],
    ['nicolaka/netshoot', ['bash']],
    ['curlimages/curl:8.10.1', ['curl']],
    ['registry.k8s.io/e2e-test-images/jessie-dnsutils:1.7', ['bash']],
  ];
  for (const [image, argv] of shells) it(`${image}: default ${argv.join(' ')}`, () => assert.deepEqual(ok(resolveImage(image, {}, base)).argv, argv));
  it('netshoot keeps zsh when the host has it', () => {
    assert.deepEqual(ok(resolveImage('nicolaka/netshoot', {}, { ...base, lookPath: (b) => `/bin/${b}` })).argv, ['zsh']);
  });
  it('busybox applets run as the host tool of that name', () => {
    assert.deepEqual(ok(resolveImage('busybox', { command: ['busybox', 'sleep', '3600'] }, base)).argv, ['sleep', '3600']);
    assert.deepEqual(ok(resolveImage('busybox', { command: ['sleep', '3600'] }, base)).argv, ['sleep', '3600']);
  });
  it('curl image: options and URLs go to curl, commands run as themselves', () => {
    assert.deepEqual(ok(resolveImage('curlimages/curl', { args: ['-s', 'http://x/'] }, base)).argv, ['curl', '-s', 'http://x/']);
    assert.deepEqual(ok(resolveImage('curlimages/curl', { args: ['http://x/'] }, base)).argv, ['curl', 'http://x/']);
    assert.deepEqual(ok(resolveImage('curlimages/curl', { args: ['sh', '-c', 'true'] }, base)).argv, ['sh', '-c', 'true']);
  });
  it('network-multitool: a web server unless told otherwise', () => {
    assert.deepEqual(ok(resolveImage('praqma/network-multitool', {}, base)).argv, prog('nginx', '--multitool', 'praqma'));
    assert.deepEqual(ok(resolveImage('wbitt/network-multitool:alpine-extra', {}, base)).argv, prog('nginx', '--multitool', 'wbitt'));
    assert.deepEqual(ok(resolveImage('praqma/network-multitool', { args: ['bash'] }, base)).argv, ['bash']);
    assert.deepEqual(ok(resolveImage('wbitt/network-multitool', { command: ['sleep', 'infinity'] }, base)).argv, ['sleep', 'infinity']);
  });
  it('images get the default PATH', () => assert.equal(ok(resolveImage('busybox', {}, base)).env!.PATH, DEFAULT_PATH));
  it('a bind address reaches the built-in programs through the environment', () => {
    assert.equal(ok(resolveImage('nginx', {}, { ...base, bindAddress: '127.0.0.1' })).env!.NANOKUBE_BIND_ADDRESS, '127.0.0.1');
    assert.equal(ok(resolveImage('nginx', {}, base)).env!.NANOKUBE_BIND_ADDRESS, undefined);
  });
});

describe('resolveImage: errors', () => {
  it('an unknown image is ErrImagePull with containerd-shaped text', () => {
    const r = resolveImage('nosuch', {}, base);
    assert.ok(r instanceof ImageError);
    assert.equal(r.reason, 'ErrImagePull');
    assert.equal(r.code, 'IMAGE');
    assert.match(r.message, /^failed to pull and unpack image "docker\.io\/library\/nosuch:latest": failed to resolve reference "docker\.io\/library\/nosuch:latest": docker\.io\/library\/nosuch:latest: not found \(nanokube does not pull images/);
  });
  it('a look-alike is not a built-in', () => {
    assert.ok(resolveImage('nginxx', {}, base) instanceof ImageError);
    assert.ok(resolveImage('example.com/agnhost-fork', {}, base) instanceof ImageError);
  });
  it('an unparsable name is InvalidImageName with the kubelet text', () => {
    const r = resolveImage('NGINX', {}, base);
    assert.ok(r instanceof ImageError);
    assert.equal(r.reason, 'InvalidImageName');
    assert.equal(r.message, 'Failed to apply default image tag "NGINX": couldn\'t parse image name "NGINX": invalid reference format: repository name (library/NGINX) must be lowercase');
    const bad = resolveImage('nginx:', {}, base);
    assert.ok(bad instanceof ImageError && bad.reason === 'InvalidImageName' && bad.message.endsWith('invalid reference format'));
  });
});

describe('resolveImage: user catalog', () => {
  const catalog = parseUserCatalog(`
images:
  "registry.example.com/team/api:*":
    command: ["/usr/bin/python3", "/srv/api/server.py"]
    args: ["--port", "8080"]
    env: { MODE: demo, WORKERS: 2 }
    workingDir: /srv/api
  "mirror.example.com/library/nginx*":
    image: nginx
  "nginx:custom":
    command: ["/opt/my-nginx"]
`);
  const opts = { ...base, userCatalog: catalog };
  it('an entry plays ENTRYPOINT and CMD', () => {
    const r = ok(resolveImage('registry.example.com/team/api:v3', {}, opts));
    assert.deepEqual(r.argv, ['/usr/bin/python3', '/srv/api/server.py', '--port', '8080']);
    assert.equal(r.env!.MODE, 'demo');
    assert.equal(r.env!.WORKERS, '2');
    assert.equal(r.workingDir, '/srv/api');
    assert.equal(r.source, 'user:registry.example.com/team/api:*');
  });
  it("the pod's args replace the entry's args", () => {
    assert.deepEqual(ok(resolveImage('registry.example.com/team/api:v3', { args: ['--port', '9090'] }, opts)).argv, ['/usr/bin/python3', '/srv/api/server.py', '--port', '9090']);
  });
  it('patterns see the defaulted tag; other repositories do not match', () => {
    assert.equal(ok(resolveImage('registry.example.com/team/api', {}, opts)).source, 'user:registry.example.com/team/api:*');
    assert.ok(resolveImage('registry.example.com/team/other:v1', {}, opts) instanceof ImageError);
  });
  it('an alias resolves as the built-in', () => {
    assert.deepEqual(ok(resolveImage('mirror.example.com/library/nginx:1.27', {}, opts)).argv, prog('nginx', '--listen', '80'));
  });
  it('the user catalog wins over the built-ins', () => {
    assert.deepEqual(ok(resolveImage('nginx:custom', {}, opts)).argv, ['/opt/my-nginx']);
    assert.deepEqual(ok(resolveImage('nginx:1.27', {}, opts)).argv, prog('nginx', '--listen', '80'));
  });
  it('extra definitions (add-on images) come before the built-ins', () => {
    const r = ok(resolveImage('nginx', {}, { ...base, extraImages: [{ name: 'addon', patterns: ['nginx'], entrypoint: ['/x'], cmd: [] }] }));
    assert.deepEqual(r.argv, ['/x']);
  });
});

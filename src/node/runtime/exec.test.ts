import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execInSandbox, runInSandbox, sandboxArgv, shellQuote } from './exec.ts';

const nsenter = { enterPrefix: () => ['nsenter', '--target', '42', '--net', '--uts', '--mount'] };
const host = { enterPrefix: () => [] };

describe('sandboxArgv', () => {
  it('the enter prefix goes first', () => assert.deepEqual(sandboxArgv(nsenter, ['sh']).argv, [...nsenter.enterPrefix(), 'sh']));
  it('a working dir inside the sandbox is set with env -C, on the host with cwd', () => {
    assert.deepEqual(sandboxArgv(nsenter, ['ls'], { workingDir: '/srv' }), { argv: [...nsenter.enterPrefix(), 'env', '-C', '/srv', '--', 'ls'] });
    assert.deepEqual(sandboxArgv(host, ['ls'], { workingDir: '/srv' }), { argv: ['ls'], cwd: '/srv' });
  });
  it('a tty wraps the command in script', () => {
    assert.deepEqual(sandboxArgv(host, ['sh', '-c', "echo 'a b'"], { tty: true }).argv, ['script', '-qefc', `sh -c 'echo '\\''a b'\\'''`, '/dev/null']);
  });
  it('shellQuote leaves plain words alone', () => assert.equal(shellQuote(['a', 'b=c', '/x/y', 'it s']), "a b=c /x/y 'it s'"));
});

describe('running in a sandbox', () => {
  it('a working dir through a non-empty prefix (env stands in for nsenter)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nk-exec-'));
    try {
      const r = await runInSandbox({ enterPrefix: () => ['env'] }, ['pwd'], { timeoutMs: 5000, workingDir: dir, env: { PATH: '/usr/bin:/bin' } });
      assert.deepEqual(r, { exitCode: 0, output: `${dir}\n`, timedOut: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('the environment is exactly the one given', async () => {
    const r = await runInSandbox(host, ['sh', '-c', 'echo "$A|$HOME_OF_AGENT"'], { timeoutMs: 5000, env: { PATH: '/usr/bin:/bin', A: '1' } });
    assert.equal(r.output, '1|\n');
  });
  it('output is capped; the exit code of a signalled command is 128 + signal', async () => {
    const big = await runInSandbox(host, ['sh', '-c', 'head -c 20000 /dev/zero'], { timeoutMs: 5000, maxOutput: 100 });
    assert.equal(big.output.length, 100);
    const killed = await runInSandbox(host, ['sh', '-c', 'kill -9 $$'], { timeoutMs: 5000 });
    assert.equal(killed.exitCode, 137);
  });
  it('a command that leaves a child behind still ends when it exits', async () => {
    const t = Date.now();
    const r = await runInSandbox(host, ['sh', '-c', 'sleep 30 & echo started'], { timeoutMs: 5000 });
    assert.deepEqual(r, { exitCode: 0, output: 'started\n', timedOut: false });
    assert.ok(Date.now() - t < 2000);
  });
  it('a missing enter prefix binary is reported, not thrown', async () => {
    const r = await runInSandbox({ enterPrefix: () => ['/nonexistent/nsenter'] }, ['true'], { timeoutMs: 1000 });
    assert.equal(r.exitCode, 127);
    assert.match(r.output, /ENOENT/);
  });
  it('execInSandbox keeps stdin open when asked', async () => {
    const p = execInSandbox(host, ['cat'], { stdin: true, env: { PATH: '/usr/bin:/bin' } });
    let out = '';
    p.child.stdout!.on('data', (d) => (out += d));
    p.child.stdin!.end('hello');
    await new Promise((r) => p.child.once('close', r));
    assert.equal(out, 'hello');
  });
});

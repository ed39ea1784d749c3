import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KernelError, fakeKernel, realDaemons, realKernel } from './kernel.ts';

describe('realKernel', () => {
  const k = realKernel();

  it('runs argv without a shell and captures output', async () => {
    // With a shell, `$HOME` and `;` would be expanded and split; as argv they are plain text.
    assert.deepEqual(await k.run(['printf', '%s|%s', '$HOME;', 'a b']), { stdout: '$HOME;|a b', stderr: '', code: 0 });
    assert.equal((await k.run(['cat'], { input: 'in\n' })).stdout, 'in\n');
  });

  it('rejects with KernelError on a non-zero exit unless allowFail', async () => {
    await assert.rejects(k.run(['sh', '-c', 'echo oops >&2; exit 3']), (e: KernelError) => {
      assert.equal(e.name, 'KernelError');
      assert.equal(e.code, 'KERNEL');
      assert.equal(e.exitCode, 3);
      assert.equal(e.stderr, 'oops\n');
      assert.equal(e.message, 'sh -c echo oops >&2; exit 3: exit 3: oops');
      return true;
    });
    assert.equal((await k.run(['sh', '-c', 'exit 4'], { allowFail: true })).code, 4);
  });

  it('reports a missing program as exit 127', async () => {
    await assert.rejects(k.run(['nanokube-no-such-program']), { name: 'KernelError', exitCode: 127 });
  });
});

describe('realDaemons', () => {
  it('starts a detached process, waits for its final exec, and kills it by PID', async () => {
    const d = realDaemons();
    const pid = await d.start(['sh', '-c', 'exec sleep 30'], { readyComm: 'sleep' });
    try {
      assert.ok(pid > 0);
      assert.equal(await d.holds(pid, 'nanokube-no-such-netns'), false);
    } finally {
      await d.kill(pid);
    }
    await assert.rejects(d.start(['sh', '-c', 'echo bad >&2; exit 2'], { readyComm: 'sleep' }), { name: 'KernelError', exitCode: 2, stderr: 'bad\n' });
  });
});

describe('fakeKernel', () => {
  it('records every argv and input, and answers from the responder', async () => {
    const k = fakeKernel((argv) => (argv[0] === 'false' ? { code: 1, stderr: 'no' } : argv[0] === 'echo' ? { stdout: 'hi' } : undefined));
    assert.equal((await k.run(['echo', 'x'])).stdout, 'hi');
    await k.run(['ip', '-batch', '-'], { input: 'link show\n' });
    await assert.rejects(k.run(['false']), { name: 'KernelError', exitCode: 1 });
    assert.equal((await k.run(['false'], { allowFail: true })).code, 1);
    assert.deepEqual(k.calls[1], { argv: ['ip', '-batch', '-'], input: 'link show\n' });
    assert.deepEqual(k.lines(), ['echo x', 'ip -batch -', 'false', 'false']);
  });

  it('fakes daemons that hold the netns they were started in', async () => {
    const k = fakeKernel();
    const pid = await k.daemons.start(['ip', 'netns', 'exec', 'nk-1', 'sleep', 'infinity'], { readyComm: 'sleep' });
    assert.equal(await k.daemons.holds(pid, 'nk-1'), true);
    await k.daemons.kill(pid);
    assert.equal(await k.daemons.holds(pid, 'nk-1'), false);
    assert.deepEqual(k.lines(), ['<start> ip netns exec nk-1 sleep infinity', `<kill> ${pid}`]);
  });
});

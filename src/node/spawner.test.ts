import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSpawner } from './spawner.ts';
import { KernelError } from './types.ts';

// Plan: no namespaces; plain host commands (echo, cat, false, sleep) through the helper process.
test('runs commands and daemons from the helper process, with the real kernel runner semantics', async () => {
  const s = openSpawner();
  try {
    assert.deepEqual(await s.kernel.run(['echo', 'hi']), { stdout: 'hi\n', stderr: '', code: 0 });
    assert.equal((await s.kernel.run(['cat'], { input: 'piped' })).stdout, 'piped');
    await assert.rejects(s.kernel.run(['false']), (e: unknown) => e instanceof KernelError && e.exitCode === 1 && e.argv[0] === 'false');
    assert.equal((await s.kernel.run(['false'], { allowFail: true })).code, 1);
    assert.equal((await s.kernel.run(['/no/such/binary'], { allowFail: true })).code, 127);
    const pid = await s.daemons.start(['sleep', '30'], { readyComm: 'sleep' });
    assert.ok(pid > 0 && pid !== process.pid);
    await s.daemons.kill(pid);
    await assert.rejects(s.daemons.start(['sh', '-c', 'exit 3'], { readyComm: 'never' }), KernelError);
  } finally {
    s.close();
  }
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ContainerPids, processStart } from './container-pids.ts';

// Plan: one `sleep` started here in its own process group plays a container a crashed agent left behind.
const dir = mkdtempSync(join(tmpdir(), 'nk-pids-'));
const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
after(() => {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {}
  rmSync(dir, { recursive: true, force: true });
});

test('a recorded process survives a reopen and is killed by killLeftovers; a reused PID is not', async () => {
  const file = join(dir, 'containers.json');
  const a = await ContainerPids.open(file);
  await a.record('uid-1', 'app', child.pid!);
  // A record whose start time does not match (the PID was reused) is never signalled.
  await a.record('uid-2', 'app', process.pid);
  const table = JSON.parse(readFileSync(file, 'utf8'));
  table['uid-2'].app.start = '1';
  writeFileSync(file, JSON.stringify(table));
  const b = await ContainerPids.open(file);
  assert.deepEqual(b.pods().sort(), ['uid-1', 'uid-2']);
  const exited = new Promise((r) => child.once('exit', r));
  assert.equal(await b.killLeftovers('uid-1'), 1);
  await exited;
  assert.equal(await b.killLeftovers('uid-2'), 0);
  assert.notEqual(await processStart(process.pid), '');
  assert.deepEqual(b.pods(), []);
});

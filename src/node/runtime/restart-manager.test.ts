import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scaledBackoff } from './backoff.ts';
import type { ExitStatus, RunningContainer } from './container-runtime.ts';
import { RestartManager, type ContainerStatusView, type RestartManagerOptions, type RestartPolicy } from './restart-manager.ts';

/** A fake instance that exits with `code` after `ms`, or when stopped (143, as SIGTERM would). */
function fakeContainer(id: number, code: number, ms: number): RunningContainer & { finish(code: number): void } {
  const startedAt = new Date();
  let finish!: (code: number) => void;
  const rc = {
    id: String(id).padStart(64, '0'),
    name: 'app',
    pid: 1000 + id,
    child: undefined as never,
    startedAt,
    logPath: `/logs/app/${id}.log`,
    stdin: null,
    exited: new Promise<ExitStatus>((resolve) => {
      finish = (c) => {
        const s: ExitStatus = { exitCode: c, reason: c === 0 ? 'Completed' : 'Error', startedAt, finishedAt: new Date() };
        rc.exitStatus = s;
        resolve(s);
      };
    }),
    exitStatus: undefined as ExitStatus | undefined,
    finish: (c: number) => finish(c),
  };
  if (ms >= 0) setTimeout(() => finish(code), ms);
  return rc;
}

function manager(policy: RestartPolicy, start: RestartManagerOptions['start']): { m: RestartManager; statuses: ContainerStatusView[]; events: string[] } {
  const statuses: ContainerStatusView[] = [];
  const events: string[] = [];
  const m = new RestartManager({
    containerName: 'app',
    pod: 'crash_default(uid-1)',
    image: 'busybox',
    restartPolicy: policy,
    start,
    stop: async (rc, _grace) => {
      (rc as ReturnType<typeof fakeContainer>).finish(143);
      return rc.exited;
    },
    backoff: scaledBackoff(50),
    onStatus: (s) => statuses.push(s),
    onEvent: (e) => events.push(`${e.reason}: ${e.message}`),
  });
  return { m, statuses, events };
}

const kinds = (ss: ContainerStatusView[]) => ss.map((s) => `${Object.keys(s.state)[0]}${s.state.waiting ? `:${s.state.waiting.reason}` : s.state.terminated ? `:${s.state.terminated.reason}` : ''}#${s.restartCount}`);

describe('RestartManager', () => {
  it('Always: a crashing container restarts at once, then with a growing back-off', async () => {
    const starts: number[] = [];
    const exits: number[] = [];
    const { m, statuses, events } = manager('Always', async (n) => {
      starts.push(Date.now());
      if (n === 4) setTimeout(() => void m.stop(1), 10);
      const rc = fakeContainer(n, 1, 5);
      void rc.exited.then(() => exits.push(Date.now()));
      return rc;
    });
    await m.run();
    // The wait counts from each exit: 0, 50, 100, 200 ms (timers may run late, never early).
    const waits = starts.slice(1).map((t, i) => t - exits[i]);
    assert.ok(waits[0] < 30, `first restart immediate: ${waits}`);
    assert.ok(waits[1] >= 49 && waits[2] >= 99 && waits[3] >= 199, `then 50, 100, 200 ms: ${waits}`);
    assert.ok(waits[1] < waits[2] && waits[2] < waits[3], `growing: ${waits}`);
    assert.deepEqual(kinds(statuses).slice(0, 7), ['running#0', 'terminated:Error#0', 'running#1', 'terminated:Error#1', 'waiting:CrashLoopBackOff#1', 'running#2', 'terminated:Error#2']);
    const clb = statuses.find((s) => s.state.waiting?.reason === 'CrashLoopBackOff')!;
    assert.equal(clb.state.waiting!.message, 'back-off 50ms restarting failed container=app pod=crash_default(uid-1)');
    assert.equal(clb.lastState.terminated!.exitCode, 1);
    assert.equal(statuses[2].lastState.terminated!.reason, 'Error');
    assert.equal(statuses[2].containerID, `containerd://${'1'.padStart(64, '0')}`);
    assert.ok(events.includes('BackOff: Back-off restarting failed container app in pod crash_default(uid-1)'));
    assert.equal(m.status().restartCount, 4);
  });
  it('OnFailure: exit 0 completes', async () => {
    const { m, statuses } = manager('OnFailure', async (n) => fakeContainer(n, 0, 5));
    const last = await m.run();
    assert.equal(last!.reason, 'Completed');
    assert.deepEqual(kinds(statuses), ['running#0', 'terminated:Completed#0']);
  });
  it('OnFailure: a failure restarts', async () => {
    const { m, statuses } = manager('OnFailure', async (n) => fakeContainer(n, n === 0 ? 2 : 0, 5));
    await m.run();
    assert.deepEqual(kinds(statuses), ['running#0', 'terminated:Error#0', 'running#1', 'terminated:Completed#1']);
    assert.equal(m.status().lastState.terminated!.exitCode, 2);
  });
  it('Never: the first exit is the last', async () => {
    const { m, statuses } = manager('Never', async (n) => fakeContainer(n, 7, 5));
    assert.equal((await m.run())!.exitCode, 7);
    assert.deepEqual(kinds(statuses), ['running#0', 'terminated:Error#0']);
  });
  it('ErrImagePull waits, shows ImagePullBackOff, and retries', async () => {
    let tries = 0;
    const { m, statuses, events } = manager('Never', async (n) => {
      if (tries++ < 2) throw Object.assign(new Error('failed to pull and unpack image "docker.io/library/nosuch:latest": not found'), { reason: 'ErrImagePull' });
      return fakeContainer(n, 0, 5);
    });
    await m.run();
    assert.deepEqual(kinds(statuses), ['waiting:ErrImagePull#0', 'waiting:ImagePullBackOff#0', 'waiting:ErrImagePull#0', 'waiting:ImagePullBackOff#0', 'running#0', 'terminated:Completed#0']);
    assert.equal(statuses[1].state.waiting!.message, 'Back-off pulling image "busybox"');
    assert.ok(events.includes('Failed: Failed to pull image "busybox": failed to pull and unpack image "docker.io/library/nosuch:latest": not found'));
    assert.ok(events.includes('Failed: Error: ErrImagePull'));
  });
  it('StartError counts as an instance that exited with 128', async () => {
    const { m, statuses } = manager('OnFailure', async (n) => {
      if (n === 0) throw Object.assign(new Error('failed to start container process: exec: "nosuch": executable file not found in $PATH'), { reason: 'StartError' });
      return fakeContainer(n, 0, 5);
    });
    await m.run();
    assert.deepEqual(kinds(statuses), ['terminated:StartError#0', 'running#1', 'terminated:Completed#1']);
    const t = statuses[0].state.terminated!;
    assert.equal(t.exitCode, 128);
    assert.equal(t.startedAt, '1970-01-01T00:00:00Z');
    assert.match(t.message!, /executable file not found in \$PATH/);
  });
  it('stop() during the back-off ends run() at once', async () => {
    const { m, statuses } = manager('Always', async (n) => fakeContainer(n, 1, 1));
    const done = m.run();
    while (!statuses.some((s) => s.state.waiting?.reason === 'CrashLoopBackOff')) await new Promise((r) => setTimeout(r, 2));
    const t = Date.now();
    await m.stop(30);
    await done;
    assert.ok(Date.now() - t < 40);
  });
  it('kill() (a failed liveness probe) restarts the container', async () => {
    const { m, statuses, events } = manager('Always', async (n) => fakeContainer(n, 0, -1));
    const done = m.run();
    while (!m.current()) await new Promise((r) => setTimeout(r, 2));
    await m.kill(1, 'Container app failed liveness probe, will be restarted');
    while (m.status().restartCount < 1 || !m.current()) await new Promise((r) => setTimeout(r, 2));
    assert.equal(m.status().lastState.terminated!.exitCode, 143);
    await m.stop(1);
    await done;
    assert.ok(events.includes('Killing: Container app failed liveness probe, will be restarted'));
    assert.ok(events.includes('Killing: Stopping container app'));
    assert.equal(kinds(statuses).at(-1), 'terminated:Error#1');
  });
});

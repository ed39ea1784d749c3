import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { ptyArgv, PtyResizer, shellQuote } from './pty.ts';

describe('terminals through script(1)', () => {
  it('quotes words for sh -c', () => {
    assert.equal(shellQuote('plain/word-1.2'), 'plain/word-1.2');
    assert.equal(shellQuote('two words'), `'two words'`);
    assert.equal(shellQuote(`it's`), `'it'\\''s'`);
    assert.equal(shellQuote(''), `''`);
  });

  it('builds the script command line, with the first size set before the command', () => {
    assert.deepEqual(ptyArgv(['nsenter', '-t', '1', 'sh', '-c', 'echo $HOME']), ['script', '-q', '-f', '-e', '-c', `exec nsenter -t 1 sh -c 'echo $HOME'`, '/dev/null']);
    assert.equal(ptyArgv(['top'], { width: 100, height: 30 })[5], 'stty rows 30 cols 100 2>/dev/null; exec top');
    assert.equal(ptyArgv(['top'], { width: 0, height: 0 })[5], 'exec top');
  });

  it('runs the command on a terminal and returns its exit code', () => {
    const argv = ptyArgv(['sh', '-c', 'tty; stty size; exit 7'], { width: 90, height: 20 });
    let out: string;
    let code = 0;
    try {
      out = execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', input: '' });
    } catch (e) {
      out = (e as { stdout: string }).stdout;
      code = (e as { status: number }).status;
    }
    assert.equal(code, 7);
    assert.match(out, /^\/dev\/pts\/\d+\r\n20 90\r\n/);
  });

  it('resizes the running command terminal with stty on /proc/<pid>/fd/0', async () => {
    const argv = ptyArgv(['sh', '-c', 'while :; do stty size; sleep 0.05; done']);
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      const r = new PtyResizer({ scriptPid: child.pid! });
      r.resize({ width: 10, height: 10 });
      r.resize({ width: 132, height: 43 }); // only the latest size matters
      await until(() => out.includes('43 132'));
      r.close();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('only ever runs the latest size, one at a time', async () => {
    const runs: string[][] = [];
    const releases: (() => void)[] = [];
    const child = spawn('sleep', ['5']);
    const r = new PtyResizer({
      scriptPid: process.pid, // any process with a child will do: this one has `sleep`
      run: (argv) => {
        runs.push(argv);
        return new Promise((res) => releases.push(res));
      },
    });
    try {
      r.resize({ width: 1, height: 1 });
      await until(() => runs.length === 1);
      r.resize({ width: 2, height: 2 });
      r.resize({ width: 3, height: 3 });
      releases[0]();
      await until(() => runs.length === 2);
      releases[1]();
      await new Promise((res) => setTimeout(res, 50));
      assert.deepEqual(runs.map((a) => a.slice(3).join(' ')), ['rows 1 cols 1', 'rows 3 cols 3']);
    } finally {
      child.kill('SIGKILL');
      r.close();
    }
  });
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

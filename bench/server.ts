/**
 * @module Starts a real `nanokube server` for a benchmark on loopback with
 * its own data dir and returns a client; `stop()` ends it by PID and
 * removes the data dir.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '../src/client/client.ts';

export interface BenchServer {
  pid: number;
  dir: string;
  client: Client;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, '..');

export async function startBenchServer(opts: { args?: string[]; name?: string } = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), `nanokube-bench-${opts.name ?? 'run'}-`));
  const server = spawn(process.execPath, [join(root, 'bin/nanokube.js'), 'server', '--data-dir', dir, '--api-port', '0', '--disable', 'dns,ingress,servicelb', ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((ok, fail) => {
      let out = '';
      server.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('nanokube is ready')) ok();
      });
      server.once('exit', (c) => fail(new Error(`server exited ${c}`)));
    });
  } catch (e) {
    await stop();
    throw e;
  }
  const kc = readFileSync(join(dir, 'kubeconfig.yaml'), 'utf8');
  const client = new Client({ server: /server: (\S+)/.exec(kc)![1], token: /token: (\S+)/.exec(kc)![1], caCert: readFileSync(join(dir, 'tls/ca.crt'), 'utf8'), userAgent: 'bench' });
  return {
    pid: server.pid!,
    dir,
    client,
    async stop() {
      client.close();
      await stop();
    },
  };
}

/**
 * @module Parses the command line and runs a subcommand.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, serverConfig, serverFlags } from '../config.ts';
import { startServer } from './server.ts';
import { nodeExec, nodeExecUsage } from './node-exec.ts';

const usage = `nanokube: a Kubernetes-compatible cluster for service networking

Usage:
  nanokube server [flags]          start a cluster (API server and add-ons)
  nanokube kubeconfig [--data-dir DIR]
                                   print the admin kubeconfig
  nanokube node exec NODE -- CMD...
                                   run a host command in a node's network namespace (isolated mode)

Server flags:
${serverFlags.map((f) => `  --${f.name.padEnd(26)}${f.help}`).join('\n')}
`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'server':
        return await serverCmd(rest);
      case 'kubeconfig':
        return await kubeconfigCmd(rest);
      case 'node':
        if (rest[0] === 'exec') return await nodeExec(rest.slice(1));
        process.stderr.write(`nanokube: unknown node command "${rest[0] ?? ''}"\n\n${nodeExecUsage}`);
        return 1;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(usage);
        return cmd === undefined ? 1 : 0;
      default:
        process.stderr.write(`nanokube: unknown command "${cmd}"\n\n${usage}`);
        return 1;
    }
  } catch (e) {
    if (e instanceof ConfigError || ['ERR_PARSE_ARGS_UNKNOWN_OPTION', 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE', 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'].includes((e as { code?: string }).code ?? '')) {
      process.stderr.write(`nanokube: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}

async function serverCmd(argv: string[]): Promise<number> {
  const options = Object.fromEntries(serverFlags.map((f) => [f.name, { type: 'string' as const }]));
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  const cfg = serverConfig(values as Record<string, string>, process.env);
  const ac = new AbortController();
  const running = await startServer(cfg, ac.signal);
  // The handlers go in before the readiness line: whoever reads it may signal at once, and a
  // SIGTERM with no handler yet would end the process without removing the node network.
  const stopped = new Promise<void>((done) => {
    const stop = (sig: string) => {
      process.stderr.write(`nanokube: ${sig}, shutting down\n`);
      done();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  process.stdout.write(`kubeconfig: ${running.kubeconfigPath}\nnanokube is ready\n`);
  await stopped;
  ac.abort();
  await running.stop();
  return 0;
}

async function kubeconfigCmd(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' } }, strict: true });
  const dir = resolve(values['data-dir'] ?? process.env.NANOKUBE_DATA_DIR ?? '.data');
  process.stdout.write(await readFile(join(dir, 'kubeconfig.yaml'), 'utf8'));
  return 0;
}

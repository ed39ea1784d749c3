/**
 * @module `nanokube node exec NODE -- CMD...`: runs a host command in a
 * node's network namespace. The server records its network in
 * DATA_DIR/network.json (mode, run id, node name → namespace) when it builds
 * it and removes the file on shutdown, so the name is looked up there; a
 * namespace name (`nk-R-nI`) is accepted as well. In host mode the node is
 * the host and the command runs as is.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { NetworkError } from '../node/network/errors.ts';
import { execIn } from '../node/network/plan.ts';
import { networkStateFile, readNetworkState } from '../node/network/state.ts';

export const nodeExecUsage = 'Usage: nanokube node exec [--data-dir DIR] NODE -- CMD [ARGS...]\n';

export interface NodeExecArgs {
  dataDir: string;
  node: string;
  command: string[];
}

/** Splits `[--data-dir DIR] NODE -- CMD...`; everything after `--` is the command, untouched. */
export function parseNodeExecArgs(args: string[], env: Record<string, string | undefined> = {}): NodeExecArgs {
  const sep = args.indexOf('--');
  const head = sep < 0 ? args : args.slice(0, sep);
  const command = sep < 0 ? [] : args.slice(sep + 1);
  let dataDir = env.NANOKUBE_DATA_DIR ?? '.data';
  const positionals: string[] = [];
  for (let i = 0; i < head.length; i++) {
    const a = head[i];
    if (a === '--data-dir' && i + 1 < head.length) dataDir = head[++i];
    else if (a.startsWith('--data-dir=')) dataDir = a.slice('--data-dir='.length);
    else if (a.startsWith('-')) throw new NetworkError('INVALID', `unknown flag ${a}\n${nodeExecUsage}`);
    else positionals.push(a);
  }
  if (positionals.length !== 1 || command.length === 0) throw new NetworkError('INVALID', `expected one NODE and a command after --\n${nodeExecUsage}`);
  return { dataDir: resolve(dataDir), node: positionals[0], command };
}

/** The node's namespace: '' for the host itself. */
export async function nodeNetns(dataDir: string, node: string, netnsDir = '/run/netns'): Promise<string> {
  const file = networkStateFile(dataDir);
  const state = await readNetworkState(file);
  const found = state?.nodes.find((n) => n.name === node || (n.netns !== '' && n.netns === node));
  if (found) {
    if (found.netns && !existsSync(`${netnsDir}/${found.netns}`)) {
      throw new NetworkError('NODE_NOT_FOUND', `node "${node}": its network namespace ${found.netns} is gone (is the server running?)`);
    }
    return found.netns;
  }
  if (/^nk-[a-z0-9]{1,8}-n\d+$/.test(node) && existsSync(`${netnsDir}/${node}`)) return node;
  const known = state ? `; nodes: ${state.nodes.map((n) => n.name).join(', ')}` : ` (no ${file}: is a server running with this --data-dir?)`;
  throw new NetworkError('NODE_NOT_FOUND', `node "${node}" not found${known}`);
}

/** Runs the command with this terminal's stdio; resolves with its exit code. */
export async function nodeExec(args: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let argv: string[];
  try {
    const a = parseNodeExecArgs(args, env);
    argv = execIn(await nodeNetns(a.dataDir, a.node), ...a.command);
  } catch (e) {
    if (!(e instanceof NetworkError)) throw e;
    process.stderr.write(`nanokube: ${e.message}\n`);
    return 1;
  }
  return new Promise((done) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit' });
    child.once('error', (e) => {
      process.stderr.write(`nanokube: ${argv[0]}: ${e.message}\n`);
      done(127);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

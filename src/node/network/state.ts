/**
 * @module Small JSON state files of the node network, written atomically
 * (temp file + rename, so a crash leaves the old or the new file, never half
 * of one): the network state of a server's data dir (`network.json`: mode,
 * run id, node → namespace, read by `nanokube node exec` and by the next
 * start to adopt or clean), and the helpers the IPAM and sandbox files use.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NetworkError } from './errors.ts';

export interface NetworkStateNode {
  name: string;
  /** '' in host mode: the node is the host itself. */
  netns: string;
  nodeIP: string;
  podCidr: string;
  gateway: string;
}

export interface NetworkState {
  mode: 'isolated' | 'host';
  runId?: string;
  hostIP?: string;
  nodes: NetworkStateNode[];
}

/** Where a server keeps its network state. */
export function networkStateFile(dataDir: string): string {
  return join(dataDir, 'network.json');
}

let seq = 0;

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${seq++}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, file);
}

/** The parsed file, or undefined when it does not exist; a file that is not JSON is an error. */
export async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new NetworkError('STATE_CORRUPT', `${file}: not JSON: ${(e as Error).message}`);
  }
}

export async function writeNetworkState(file: string, state: NetworkState): Promise<void> {
  await writeJsonAtomic(file, state);
}

export async function readNetworkState(file: string): Promise<NetworkState | undefined> {
  const s = await readJson<NetworkState>(file);
  if (s && (!['isolated', 'host'].includes(s.mode) || !Array.isArray(s.nodes))) {
    throw new NetworkError('STATE_CORRUPT', `${file}: not a network state (mode and nodes expected)`);
  }
  return s;
}

export async function removeNetworkState(file: string): Promise<void> {
  await rm(file, { force: true });
}

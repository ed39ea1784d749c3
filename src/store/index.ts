/**
 * @module openStore: picks the store backend from the datastore URL's scheme, as kine does
 * (`sqlite:///abs/path/state.db`, `memory://`; `etcd://` later).
 */
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { MemoryStore } from './memory.ts';
import { SqliteStore } from './sqlite.ts';
import type { SqliteSynchronous } from './sqlite.ts';
import { StoreError } from './types.ts';
import type { Store } from './types.ts';

export { MemoryStore } from './memory.ts';
export { SqliteStore } from './sqlite.ts';
export type { SqliteStoreOptions, SqliteSynchronous } from './sqlite.ts';
export { StoreError } from './types.ts';
export type {
  KeyValue, ListOptions, ListResult, Store, StoreErrorCode, WatchEvent, WatchEventType, WatchOptions,
} from './types.ts';

/**
 * Opens the store named by url. Error messages name the scheme at most, never the URL: an
 * etcd URL may carry credentials.
 *
 * - `sqlite:///abs/path/state.db[?synchronous=full|normal]`: creates the directory if needed.
 * - `memory://`: a fresh in-memory store (tests).
 * - `etcd://...`: not implemented yet.
 */
export async function openStore(url: string): Promise<Store> {
  // The scheme is read by hand: `etcd://h1:2379,h2:2379` (the --datastore form) is not a URL
  // that `new URL` accepts.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'memory':
      return new MemoryStore();
    case 'sqlite':
      return new SqliteStore(sqliteOptions(url));
    case 'etcd':
    case 'etcds':
      throw new StoreError('INTERNAL', 'the etcd datastore is not implemented yet; use sqlite');
    default:
      throw new StoreError(
        'INTERNAL',
        scheme === undefined
          ? 'datastore URL has no scheme (want sqlite:///abs/path/state.db or memory://)'
          : `unknown datastore scheme "${scheme}" (want sqlite:///abs/path/state.db or memory://)`,
      );
  }
}

function sqliteOptions(url: string): { path: string; synchronous?: SqliteSynchronous } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError('INTERNAL', 'sqlite datastore URL is not valid (want sqlite:///abs/path/state.db)');
  }
  const path = decodeURIComponent(parsed.pathname);
  if (parsed.host !== '' || !isAbsolute(path) || path === '/') {
    throw new StoreError('INTERNAL', 'sqlite datastore URL must name an absolute file path: sqlite:///abs/path/state.db');
  }
  let synchronous: SqliteSynchronous | undefined;
  for (const [name, value] of parsed.searchParams) {
    if (name !== 'synchronous') {
      throw new StoreError('INTERNAL', `sqlite datastore URL: unknown option "${name}" (known: synchronous=full|normal)`);
    }
    if (value !== 'full' && value !== 'normal') {
      throw new StoreError('INTERNAL', `sqlite datastore URL: synchronous must be full or normal, not "${value}"`);
    }
    synchronous = value;
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw new StoreError('INTERNAL', `cannot create the sqlite data directory: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return { path, synchronous };
}

/**
 * @module Runs the store contract against SqliteStore, plus what only a file can show:
 * reopening continues the data and the revision, and kill -9 loses no acknowledged write.
 * Every database lives in a fresh directory under the OS temp dir, removed at the end.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { storeContract } from './contract.ts';
import { SqliteStore } from './sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'nanokube-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `state-${++n}.db`);

storeContract('sqlite', async () => new SqliteStore({ path: freshPath() }));
storeContract('sqlite, synchronous=normal, history pages of 3', async () =>
  new SqliteStore({ path: freshPath(), synchronous: 'normal', historyPage: 3 }));

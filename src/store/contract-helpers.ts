/**
 * @module Helpers shared by the halves of the store contract (contract.ts, contract-watch.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError } from './types.ts';
import type { KeyValue, Store, StoreErrorCode } from './types.ts';

export type OpenStore = () => Promise<Store>;

/** Awaits p and asserts it fails with a StoreError of this code; returns the error. */
export async function storeError(p: Promise<unknown>, code: StoreErrorCode): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected the call to fail with ${code}`);
}

/** Declares a test that gets a fresh store and closes it afterwards. */
export function storeTest(open: OpenStore, name: string, fn: (s: Store) => Promise<void>): void {
  test(name, async () => {
    const s = await open();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  });
}

export function kv(key: string, value: string, createRevision: number, modRevision: number): KeyValue {
  return { key, value, createRevision, modRevision };
}

// Truncated and mutated bodies: the decoder answers with an object or a
// ProtoError, never another exception, and never hangs. Mutations come from
// a seeded generator (mulberry32, seed 20240601) so a failure reproduces.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Reader } from 'protobufjs/minimal.js';
import { decodeK8sProtobuf } from './decode.ts';
import { ProtoError } from './errors.ts';
import { mulberry32 } from '../../testing/prng.ts';

const dir = join(import.meta.dirname, 'testdata');
const vectors = readdirSync(dir)
  .filter((f) => f.endsWith('.pb'))
  .map((f) => ({ name: f, bytes: readFileSync(join(dir, f)) }));


/** Decodes and checks the outcome: a JSON-serialisable object, or a ProtoError. */
function outcome(b: Uint8Array, what: string): 'ok' | ProtoError {
  try {
    const d = decodeK8sProtobuf(b);
    assert.equal(typeof JSON.stringify(d.object), 'string', what);
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof ProtoError, `${what}: threw ${String(e)}`);
    return e;
  }
}

/** Where runtime.Unknown's raw field (2) starts and ends in a body. */
function rawSpan(b: Uint8Array): [number, number] {
  const r = new Reader(b.subarray(4));
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag === 0x12) {
      const len = r.uint32();
      return [4 + r.pos, 4 + r.pos + len];
    }
    r.skipType(tag & 7);
  }
  throw new Error('no raw field');
}

describe('decoder robustness', () => {
  it('has vectors to work on', () => assert.ok(vectors.length >= 11));

  it('every truncation inside the object is TRUNCATED; no prefix throws anything else', () => {
    for (const v of vectors) {
      const [start, end] = rawSpan(v.bytes);
      for (let n = 0; n < v.bytes.length; n++) {
        const got = outcome(v.bytes.subarray(0, n), `${v.name}[:${n}]`);
        if (n < 4) assert.equal(got instanceof ProtoError && got.code, 'BAD_MAGIC', `${v.name}[:${n}]`);
        if (n >= start && n < end) assert.equal(got instanceof ProtoError && got.code, 'TRUNCATED', `${v.name}[:${n}]`);
      }
    }
  });

  it('random byte flips, insertions and deletions give an object or a ProtoError', () => {
    const rand = mulberry32(20240601);
    const codes = new Map<string, number>();
    let ok = 0;
    const started = performance.now();
    for (const v of vectors) {
      for (let i = 0; i < 400; i++) {
        const b = Array.from(v.bytes);
        const edits = 1 + Math.floor(rand() * 3);
        for (let e = 0; e < edits; e++) {
          // Leave the magic alone most of the time so the mutations reach the decoder.
          const at = 4 + Math.floor(rand() * (b.length - 4));
          const op = rand();
          const byte = [0x00, 0x7f, 0x80, 0xff, Math.floor(rand() * 256)][Math.floor(rand() * 5)];
          if (op < 0.5) b[at] = byte;
          else if (op < 0.75) b.splice(at, 0, byte);
          else b.splice(at, 1);
        }
        const got = outcome(Uint8Array.from(b), `${v.name} mutation ${i}`);
        if (got === 'ok') ok++;
        else codes.set(got.code, (codes.get(got.code) ?? 0) + 1);
      }
    }
    assert.ok(performance.now() - started < 20_000, 'decoding mutations took too long');
    // Both outcomes happen, and the errors are of several kinds.
    assert.ok(ok > 0, 'no mutation decoded');
    assert.ok(codes.size >= 3, `error codes seen: ${[...codes.keys()].join(', ')}`);
  });

  it('random bytes after the magic give an object or a ProtoError', () => {
    const rand = mulberry32(7);
    for (let i = 0; i < 2000; i++) {
      const tail = Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
      outcome(Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...tail]), `random ${i}`);
    }
  });

  it('a huge declared length or a deep run of nested groups fails fast', () => {
    const big = Uint8Array.from([0x6b, 0x38, 0x73, 0x00, 0x12, 0xff, 0xff, 0xff, 0xff, 0x07]);
    assert.equal((outcome(big, 'big') as ProtoError).code, 'TRUNCATED');
    const groups = Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...Array(100_000).fill(0x33)]);
    assert.ok(outcome(groups, 'groups') instanceof ProtoError);
  });

  it('refuses what is not bytes', () => {
    assert.ok(outcome('k8s\0' as unknown as Uint8Array, 'string') instanceof ProtoError);
  });
});

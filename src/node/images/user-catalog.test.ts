import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadUserCatalog, parseUserCatalog, UserCatalogError } from './user-catalog.ts';

describe('user catalog', () => {
  it('parses entries in file order', () => {
    const c = parseUserCatalog(`images:\n  "a/*":\n    command: [x]\n  "a/b":\n    command: [y]\n`, 'c.yaml');
    assert.deepEqual(c.entries.map((e) => e.pattern), ['a/*', 'a/b']);
    assert.deepEqual(c.lookup(['a/b'])!.entrypoint, ['x']);
    assert.equal(c.lookup(['z']), undefined);
  });
  it('an empty file is an empty catalog', () => assert.deepEqual(parseUserCatalog('').entries, []));
  it('loads from a file and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nk-catalog-'));
    try {
      const p = join(dir, 'images.yaml');
      writeFileSync(p, 'images:\n  app:\n    args: [run]\n');
      assert.deepEqual(loadUserCatalog(p).entries[0].args, ['run']);
      writeFileSync(p, 'images: [1]\n');
      assert.throws(() => loadUserCatalog(p), { message: `${p}: images: must be a mapping from image name pattern to {command, args, env, workingDir}` });
      assert.throws(() => loadUserCatalog(join(dir, 'missing.yaml')), /cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  const bad: [string, string][] = [
    ['images: {a: {command: "x"}}', 'f: images["a"].command: must be a list of strings (quote numbers: ["--port", "8080"])'],
    ['images: {a: {args: [1]}}', 'f: images["a"].args: must be a list of strings (quote numbers: ["--port", "8080"])'],
    ['images: {a: {}}', 'f: images["a"]: needs a command (or args), or an image to alias'],
    ['images: {a: {command: [x], cmd: [y]}}', 'f: images["a"].cmd: unknown field (known: command, args, env, workingDir, image)'],
    ['images: {a: {command: [x], workingDir: rel}}', 'f: images["a"].workingDir: must be an absolute path'],
    ['images: {a: {command: [x], env: [A]}}', 'f: images["a"].env: must be a mapping of NAME: value'],
    ['images: {a: {command: [x], env: {A: {b: 1}}}}', 'f: images["a"].env.A: must be a string'],
    ['images: {a: {image: nosuch}}', 'f: images["a"].image: "nosuch" is not a built-in image'],
    ['images: {a: {image: nginx, command: [x]}}', 'f: images["a"]: "image" aliases another image and cannot be combined with command, args or workingDir'],
    ['image: {}', 'f: image: unknown key (the file has one key, "images")'],
    ['- a', 'f: top level: must be a mapping with an "images" key'],
    ['images: {a: [x]}', 'f: images["a"]: must be a mapping with command, args, env, workingDir or image'],
    ['images: {a: {command: [x]', 'f: not valid YAML: '],
  ];
  for (const [text, msg] of bad) {
    it(`rejects ${text}`, () => {
      assert.throws(
        () => parseUserCatalog(text, 'f'),
        (e: unknown) => e instanceof UserCatalogError && e.code === 'USER_CATALOG' && (msg.endsWith(': ') ? e.message.startsWith(msg) : e.message === msg),
      );
    });
  }
});

/**
 * @module The user's image catalog: a YAML file that maps image name
 * patterns to the program that stands for the image, so one's own programs
 * run as pods. `command` and `args` play ENTRYPOINT and CMD, so a pod's own
 * command/args override them by Kubernetes' rules. An entry may instead name
 * another image (`image: nginx`) to alias a mirror to a built-in.
 *
 *     images:
 *       "registry.example.com/team/api:*":
 *         command: ["/usr/bin/python3", "/srv/api/server.py"]
 *         args: ["--port", "8080"]
 *         env: { MODE: demo }
 *         workingDir: /srv/api
 *       "mirror.example.com/library/nginx:*":
 *         image: nginx
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { BUILTIN_IMAGES } from './builtins.ts';
import type { ImageDefinition } from './catalog.ts';
import { matchesImage, parseImageReference, referenceNames } from './reference.ts';

export interface UserCatalogEntry {
  pattern: string;
  command: string[];
  args: string[];
  env: Record<string, string>;
  workingDir?: string;
  /** Resolve as this other image instead (a built-in). */
  image?: string;
}

export interface UserCatalog {
  source: string;
  entries: UserCatalogEntry[];
  /** The definition for the first entry, in file order, that matches any spelling of the image. */
  lookup(names: string[]): ImageDefinition | undefined;
}

export class UserCatalogError extends Error {
  readonly code = 'USER_CATALOG';
  constructor(message: string) {
    super(message);
    this.name = 'UserCatalogError';
  }
}

const FIELDS = new Set(['command', 'args', 'env', 'workingDir', 'image']);

export function loadUserCatalog(path: string): UserCatalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserCatalogError(`user catalog ${path}: cannot read: ${(err as Error).message}`);
  }
  return parseUserCatalog(text, path);
}

export function parseUserCatalog(text: string, source = 'user catalog'): UserCatalog {
  const fail = (where: string, msg: string): never => {
    throw new UserCatalogError(`${source}: ${where}: ${msg}`);
  };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UserCatalogError(`${source}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc == null) doc = { images: {} };
  if (!isObject(doc)) fail('top level', 'must be a mapping with an "images" key');
  const top = doc as Record<string, unknown>;
  for (const k of Object.keys(top)) if (k !== 'images') fail(k, 'unknown key (the file has one key, "images")');
  const images = top.images ?? {};
  if (!isObject(images)) fail('images', 'must be a mapping from image name pattern to {command, args, env, workingDir}');
  const entries: UserCatalogEntry[] = [];
  for (const [pattern, raw] of Object.entries(images as Record<string, unknown>)) {
    const at = `images[${JSON.stringify(pattern)}]`;
    if (pattern.trim() === '') fail(at, 'the image name pattern must not be empty');
    if (!isObject(raw)) fail(at, 'must be a mapping with command, args, env, workingDir or image');
    const e = raw as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!FIELDS.has(k)) fail(`${at}.${k}`, `unknown field (known: ${[...FIELDS].join(', ')})`);
    const entry: UserCatalogEntry = {
      pattern,
      command: strings(e.command, `${at}.command`, fail),
      args: strings(e.args, `${at}.args`, fail),
      env: envMap(e.env, `${at}.env`, fail),
    };
    if (e.workingDir !== undefined) {
      if (typeof e.workingDir !== 'string' || !e.workingDir.startsWith('/')) fail(`${at}.workingDir`, 'must be an absolute path');
      entry.workingDir = e.workingDir as string;
    }
    if (e.image !== undefined) {
      if (typeof e.image !== 'string' || e.image === '') fail(`${at}.image`, 'must be an image name');
      if (entry.command.length || entry.args.length || entry.workingDir) fail(at, '"image" aliases another image and cannot be combined with command, args or workingDir');
      if (!builtinFor(e.image as string)) fail(`${at}.image`, `${JSON.stringify(e.image)} is not a built-in image`);
      entry.image = e.image as string;
    } else if (entry.command.length === 0 && entry.args.length === 0) {
      fail(at, 'needs a command (or args), or an image to alias');
    }
    entries.push(entry);
  }
  return {
    source,
    entries,
    lookup(names: string[]) {
      const entry = entries.find((en) => matchesImage(en.pattern, names));
      return entry ? definitionFor(entry) : undefined;
    },
  };
}

function definitionFor(entry: UserCatalogEntry): ImageDefinition {
  const name = `user:${entry.pattern}`;
  if (entry.image) {
    const target = builtinFor(entry.image)!;
    return { ...target, name, env: { ...target.env, ...entry.env } };
  }
  return { name, patterns: [entry.pattern], entrypoint: entry.command, cmd: entry.args, env: entry.env, workingDir: entry.workingDir };
}

function builtinFor(image: string): ImageDefinition | undefined {
  let names: string[];
  try {
    names = referenceNames(parseImageReference(image), image);
  } catch {
    return undefined;
  }
  return BUILTIN_IMAGES.find((d) => d.patterns.some((p) => matchesImage(p, names)));
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown, where: string, fail: (w: string, m: string) => never): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) fail(where, 'must be a list of strings (quote numbers: ["--port", "8080"])');
  return v as string[];
}

function envMap(v: unknown, where: string, fail: (w: string, m: string) => never): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) fail(where, 'must be a mapping of NAME: value');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (!/^[^=\0]+$/.test(k)) fail(`${where}.${k}`, 'is not a valid environment variable name');
    if (typeof val !== 'string' && typeof val !== 'number' && typeof val !== 'boolean') fail(`${where}.${k}`, 'must be a string');
    out[k] = String(val);
  }
  return out;
}

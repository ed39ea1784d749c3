import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { defaulted, kinds, stored, texts } from './fixtures.ts';
import { validateCreate, validateUpdate } from './index.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const cm = (data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'game-config', namespace: 'default' },
  data,
  ...extra,
});
const secret = (type: string | undefined, data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'whale-tls', namespace: 'default' },
  ...(type ? { type } : {}),
  data,
  ...extra,
});
const createCM = (o: KubeObject): string[] => texts(validateCreate(kinds.configMap, defaulted(kinds.configMap, o)));
const createSecret = (o: KubeObject): string[] => texts(validateCreate(kinds.secret, defaulted(kinds.secret, o)));

test('config maps: keys and total size', () => {
  assert.deepEqual(createCM(cm({ 'game.properties': 'enemies=aliens', UI_COLOR: 'blue' }, { binaryData: { 'logo.png': b64('png') } })), []);
  assert.deepEqual(createCM(cm({ 'bad key': 'x' })), [
    "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ]);
  assert.deepEqual(createCM(cm({ a: 'x' }, { binaryData: { a: b64('y') } })), ['data[a]: Invalid value: "a": duplicate of key present in binaryData']);
  assert.deepEqual(createCM(cm({ big: 'x'.repeat(1024 * 1024 + 1) })), [': Too long: may not be more than 1048576 bytes']);
});

test('config maps: immutable ones keep their data', () => {
  const old = stored(defaulted(kinds.configMap, cm({ a: '1' }, { immutable: true })));
  const changed = structuredClone(old);
  changed.data = { a: '2' };
  assert.deepEqual(texts(validateUpdate(kinds.configMap, changed, old)), ['data: Forbidden: field is immutable when `immutable` is set']);
  const unset = structuredClone(old);
  unset.immutable = false;
  assert.deepEqual(texts(validateUpdate(kinds.configMap, unset, old)), ['immutable: Forbidden: field is immutable when `immutable` is set']);
});

test('secrets: each type requires its keys', () => {
  assert.deepEqual(createSecret(secret(undefined, { password: b64('s3cr3t') })), []);
  assert.deepEqual(createSecret(secret('kubernetes.io/tls', { 'tls.crt': b64('c'), 'tls.key': b64('k') })), []);
  assert.deepEqual(createSecret(secret('kubernetes.io/tls', { 'tls.crt': b64('c') })), ['data[tls.key]: Required value']);
  assert.deepEqual(createSecret(secret('kubernetes.io/basic-auth', {})), ['data[username]: Required value', 'data[password]: Required value']);
  assert.deepEqual(createSecret(secret('kubernetes.io/ssh-auth', {})), ['data[ssh-privatekey]: Required value']);
  assert.deepEqual(createSecret(secret('kubernetes.io/service-account-token', {})), ['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
  assert.deepEqual(createSecret(secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{"auths":{}}') })), []);
  assert.deepEqual(createSecret(secret('kubernetes.io/dockerconfigjson', {})), ['data[.dockerconfigjson]: Required value']);
  assert.deepEqual(createSecret(secret(undefined, { big: Buffer.alloc(1024 * 1024 + 1).toString('base64') })), ['data: Too long: may not be more than 1048576 bytes']);
});

test('secrets: stringData counts as data', () => {
  assert.deepEqual(createSecret(secret('kubernetes.io/tls', {}, { stringData: { 'tls.crt': 'c', 'tls.key': 'k' } })), []);
});

test('secrets: type is immutable', () => {
  const old = stored(defaulted(kinds.secret, secret(undefined, { a: b64('1') })));
  const changed = structuredClone(old);
  changed.type = 'kubernetes.io/basic-auth';
  changed.data = { username: b64('u') };
  assert.deepEqual(texts(validateUpdate(kinds.secret, changed, old)), ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
});

test('service accounts: metadata only', () => {
  const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'test' } };
  assert.deepEqual(texts(validateCreate(kinds.serviceAccount, sa)), []);
  assert.deepEqual(texts(validateCreate(kinds.serviceAccount, { ...sa, metadata: { name: 'Builder', namespace: 'test' } })), [
    "metadata.name: Invalid value: \"Builder\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
});

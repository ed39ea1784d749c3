/**
 * @module ConfigMap, Secret and ServiceAccount validation: config keys, the
 * 1 MiB size limit, the keys each secret type requires, and the
 * `immutable` flag.
 */
import type { FieldError } from '../field-errors.ts';
import { forbidden, invalid, path, required, tooLong } from '../field-errors.ts';
import { deepEqual, immutable, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isConfigMapKey, nameIsDNSSubdomain } from './names.ts';

const maxSize = 1024 * 1024;
const metaOpts = { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true };

/** The decoded length of a base64 []byte field. */
const byteLength = (b64: unknown): number => (typeof b64 === 'string' ? Buffer.from(b64, 'base64').length : 0);

export function validateConfigMap(cm: any): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, metaOpts);
  let total = 0;
  const data: Record<string, string> = cm.data ?? {};
  const binary: Record<string, string> = cm.binaryData ?? {};
  for (const key of Object.keys(data).sort()) {
    errs.push(...isConfigMapKey(key).map((m) => invalid(path('data').key(key), key, m)));
    if (key in binary) errs.push(invalid(path('data').key(key), key, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(String(data[key] ?? ''));
  }
  for (const key of Object.keys(binary).sort()) {
    errs.push(...isConfigMapKey(key).map((m) => invalid(path('binaryData').key(key), key, m)));
    total += byteLength(binary[key]);
  }
  // Upstream reports this on the empty path: the whole object.
  if (total > maxSize) errs.push(tooLong(path(''), '', maxSize));
  return errs;
}

export function validateConfigMapUpdate(cm: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata);
  if (old.immutable === true) {
    if (cm.immutable !== true) errs.push(forbidden(path('immutable'), 'field is immutable when `immutable` is set'));
    if (!deepEqual(cm.data, old.data)) errs.push(forbidden(path('data'), 'field is immutable when `immutable` is set'));
    if (!deepEqual(cm.binaryData, old.binaryData)) errs.push(forbidden(path('binaryData'), 'field is immutable when `immutable` is set'));
  }
  errs.push(...validateConfigMap(cm));
  return errs;
}

function jsonError(b64: string): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return `json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type map[string]interface {}`;
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function validateSecret(s: any): FieldError[] {
  const errs = validateObjectMeta(s.metadata, metaOpts);
  const dp = path('data');
  const data: Record<string, string> = s.data ?? {};
  let total = 0;
  for (const key of Object.keys(data).sort()) {
    errs.push(...isConfigMapKey(key).map((m) => invalid(dp.key(key), key, m)));
    total += byteLength(data[key]);
  }
  if (total > maxSize) errs.push(tooLong(dp, '', maxSize));
  const has = (k: string): boolean => k in data;
  switch (s.type) {
    case 'kubernetes.io/service-account-token':
      if (!s.metadata?.annotations?.['kubernetes.io/service-account.name'])
        errs.push(required(path('metadata', 'annotations').key('kubernetes.io/service-account.name'), ''));
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = s.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) errs.push(required(dp.key(key), ''));
      else {
        const e = jsonError(data[key]);
        if (e) errs.push(invalid(dp.key(key), '<secret contents redacted>', e));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(required(dp.key('username'), ''), required(dp.key('password'), ''));
      break;
    case 'kubernetes.io/ssh-auth':
      if (byteLength(data['ssh-privatekey']) === 0) errs.push(required(dp.key('ssh-privatekey'), ''));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required(dp.key('tls.crt'), ''));
      if (!has('tls.key')) errs.push(required(dp.key('tls.key'), ''));
      break;
  }
  return errs;
}

export function validateSecretUpdate(s: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(s.metadata, old.metadata);
  errs.push(...immutable(s.type ?? '', old.type ?? '', path('type')));
  if (old.immutable === true) {
    if (s.immutable !== true) errs.push(forbidden(path('immutable'), 'field is immutable when `immutable` is set'));
    if (!deepEqual(s.data, old.data)) errs.push(forbidden(path('data'), 'field is immutable when `immutable` is set'));
  }
  errs.push(...validateSecret(s));
  return errs;
}

export function validateServiceAccount(sa: any): FieldError[] {
  return validateObjectMeta(sa.metadata, metaOpts);
}

export function validateServiceAccountUpdate(sa: any, old: any): FieldError[] {
  return [...validateObjectMetaUpdate(sa.metadata, old.metadata), ...validateServiceAccount(sa)];
}

/**
 * @module Pod volume validation (ValidateVolumes, validateVolumeSource): one
 * source per volume, unique DNS-label names, and the rules of the sources a
 * node here can serve (emptyDir, hostPath, configMap, secret, downwardAPI,
 * projected, persistentVolumeClaim, nfs, csi). Cloud and network sources are
 * counted but not checked further (see README).
 */
import type { FieldError, Path } from '../field-errors.ts';
import { duplicate, forbidden, invalid, notSupported, required, tooLong } from '../field-errors.ts';
import { validateObjectFieldSelector, validateResourceFieldSelector, volumeFieldPaths } from './downward.ts';
import { isDNS1123Label, isDNS1123Subdomain } from './names.ts';
import { tryParseQuantity } from './quantity.ts';

const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';

/** validatePathNoBacksteps. */
function noBacksteps(target: string, p: Path | string): FieldError[] {
  return target.split('/').includes('..') ? [invalid(p, target, "must not contain '..'")] : [];
}

/** validateLocalDescendingPath: relative and without '..'. */
export function validateLocalDescendingPath(target: string, p: Path | string): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(invalid(p, target, 'must be a relative path'));
  errs.push(...noBacksteps(target, p));
  return errs;
}

/** ValidateLocalNonReservedPath. */
function localNonReservedPath(target: string, p: Path | string): FieldError[] {
  const errs = validateLocalDescendingPath(target, p);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(invalid(p, target, "must not start with '..'"));
  return errs;
}

function mode(v: unknown, p: Path): FieldError[] {
  return typeof v === 'number' && (v > 0o777 || v < 0) ? [invalid(p, v, fileModeErrorMsg)] : [];
}

function keyToPath(kp: any, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!kp.key) errs.push(required(p.child('key'), ''));
  if (!kp.path) errs.push(required(p.child('path'), ''));
  errs.push(...localNonReservedPath(kp.path ?? '', p.child('path')));
  errs.push(...mode(kp.mode, p.child('mode')));
  return errs;
}

function downwardAPIFile(file: any, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!file.path) errs.push(required(p.child('path'), ''));
  errs.push(...localNonReservedPath(file.path ?? '', p.child('path')));
  if (file.fieldRef) {
    errs.push(...validateObjectFieldSelector(file.fieldRef, volumeFieldPaths, p.child('fieldRef')));
    if (file.resourceFieldRef) errs.push(invalid(p, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (file.resourceFieldRef) {
    errs.push(...validateResourceFieldSelector(file.resourceFieldRef, p.child('resourceFieldRef'), true));
  } else {
    errs.push(required(p, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...mode(file.mode, p.child('mode')));
  return errs;
}

function projected(src: any, p: Path): FieldError[] {
  const errs = mode(src.defaultMode, p.child('defaultMode'));
  const paths = new Set<string>();
  const claim = (path: string, shown: unknown): void => {
    if (!path) return;
    if (paths.has(path)) errs.push(invalid(p, shown, 'conflicting duplicate paths'));
    else paths.add(path);
  };
  (src.sources ?? []).forEach((s: any, i: number) => {
    const sp = p.child('sources').index(i);
    let n = 0;
    for (const kind of ['secret', 'configMap']) {
      if (!s[kind]) continue;
      n++;
      if (!s[kind].name) errs.push(required(sp.child(kind).child('name'), ''));
      (s[kind].items ?? []).forEach((kp: any, j: number) => {
        errs.push(...keyToPath(kp, sp.child(kind).child('items').index(j)));
        claim(kp.path, s[kind].name ?? '');
      });
    }
    if (s.downwardAPI) {
      n++;
      for (const f of s.downwardAPI.items ?? []) {
        errs.push(...downwardAPIFile(f, sp.child('downwardAPI')));
        claim(f.path, f.path);
      }
    }
    if (s.serviceAccountToken) {
      n++;
      const t = s.serviceAccountToken;
      const ep = sp.child('serviceAccountToken').child('expirationSeconds');
      if (typeof t.expirationSeconds === 'number' && t.expirationSeconds < 600) errs.push(invalid(ep, t.expirationSeconds, 'may not specify a duration less than 10 minutes'));
      if (typeof t.expirationSeconds === 'number' && t.expirationSeconds > 2 ** 32) errs.push(invalid(ep, t.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
      if (!t.path) errs.push(required(p.child('path'), ''));
      else errs.push(...localNonReservedPath(t.path, p.child('path')));
    }
    if (s.clusterTrustBundle) n++;
    if (n > 1) errs.push(forbidden(sp, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

const hostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

type SourceCheck = (src: any, p: Path) => FieldError[];

/** Upstream's order of volume sources, the path its "more than 1" error names, and the checks done here. */
const sources: [key: string, forbiddenAs: string, check?: SourceCheck][] = [
  [
    'emptyDir',
    'emptyDir',
    (s, p) => {
      const q = s.sizeLimit === undefined ? undefined : tryParseQuantity(s.sizeLimit);
      return q && q.mantissa < 0n ? [forbidden(p.child('sizeLimit'), 'SizeLimit field must be a valid resource quantity')] : [];
    },
  ],
  [
    'hostPath',
    'hostPath',
    (s, p) => {
      if (!s.path) return [required(p.child('path'), '')];
      const errs = noBacksteps(s.path, p.child('path'));
      if (s.type !== undefined && s.type !== null && !hostPathTypes.includes(s.type)) errs.push(notSupported(p.child('type'), s.type, hostPathTypes));
      return errs;
    },
  ],
  ['gitRepo', 'gitRepo'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  [
    'secret',
    'secret',
    (s, p) => [
      ...(s.secretName ? [] : [required(p.child('secretName'), '')]),
      ...mode(s.defaultMode, p.child('defaultMode')),
      ...(s.items ?? []).flatMap((kp: any, i: number) => keyToPath(kp, p.child('items').index(i))),
    ],
  ],
  [
    'nfs',
    'nfs',
    (s, p) => [
      ...(s.server ? [] : [required(p.child('server'), '')]),
      ...(s.path ? [] : [required(p.child('path'), '')]),
      ...(String(s.path ?? '').startsWith('/') ? [] : [invalid(p.child('path'), s.path ?? '', 'must be an absolute path')]),
    ],
  ],
  ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'],
  ['flocker', 'flocker'],
  ['persistentVolumeClaim', 'persistentVolumeClaim', (s, p) => (s.claimName ? [] : [required(p.child('claimName'), '')])],
  ['rbd', 'rbd'],
  ['cinder', 'cinder'],
  ['cephfs', 'cephFS'],
  ['quobyte', 'quobyte'],
  [
    'downwardAPI',
    'downwarAPI', // sic: upstream's path for this error
    (s, p) => [...mode(s.defaultMode, p.child('defaultMode')), ...(s.items ?? []).flatMap((f: any) => downwardAPIFile(f, p))],
  ],
  ['fc', 'fc'],
  ['flexVolume', 'flexVolume'],
  [
    'configMap',
    'configMap',
    (s, p) => [
      ...(s.name ? [] : [required(p.child('name'), '')]),
      ...mode(s.defaultMode, p.child('defaultMode')),
      ...(s.items ?? []).flatMap((kp: any, i: number) => keyToPath(kp, p.child('items').index(i))),
    ],
  ],
  ['azureFile', 'azureFile'],
  ['vsphereVolume', 'vsphereVolume'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'],
  ['azureDisk', 'azureDisk'],
  ['storageos', 'storageos'],
  ['projected', 'projected', projected],
  ['scaleIO', 'scaleIO'],
  [
    'csi',
    'csi',
    (s, p) => {
      const d: string = s.driver ?? '';
      const dp = p.child('driver');
      const errs: FieldError[] = [];
      if (!d) errs.push(required(dp, ''));
      if (d.length > 63) errs.push(tooLong(dp, '', 63));
      errs.push(...isDNS1123Subdomain(d.toLowerCase()).map((m) => invalid(dp, d, m)));
      return errs;
    },
  ],
  ['ephemeral', 'ephemeral', (s, p) => (s.volumeClaimTemplate ? [] : [required(p.child('volumeClaimTemplate'), '')])],
  ['image', 'image'],
];

/** ValidateVolumes: returns the valid volumes by name (for volumeMounts) and the errors. */
export function validateVolumes(volumes: any[] | undefined, p: Path): { byName: Map<string, any>; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const byName = new Map<string, any>();
  (volumes ?? []).forEach((vol, i) => {
    const ip = p.index(i);
    const el: FieldError[] = [];
    let n = 0;
    for (const [key, as, fn] of sources) {
      if (vol[key] === undefined || vol[key] === null) continue;
      if (n > 0) {
        el.push(forbidden(ip.child(as), 'may not specify more than 1 volume type'));
        continue;
      }
      n++;
      if (fn) el.push(...fn(vol[key], ip.child(key)));
    }
    if (n === 0) el.push(required(ip, 'must specify a volume type'));
    if (!vol.name) el.push(required(ip.child('name'), ''));
    else el.push(...isDNS1123Label(vol.name).map((m) => invalid(ip.child('name'), vol.name, m)));
    if (byName.has(vol.name)) el.push(duplicate(ip.child('name'), vol.name));
    if (el.length === 0) byName.set(vol.name, vol);
    else errs.push(...el);
  });
  return { byName, errs };
}

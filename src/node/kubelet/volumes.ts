/**
 * @module Pod volumes as directories under the pod's folder
 * (`<pod dir>/volumes/<name>`): emptyDir, configMap, secret, downwardAPI
 * and projected (configMap, secret and downwardAPI sources) are written
 * there; hostPath is the host path itself. Mounting: a container's
 * volumeMounts are bind-mounted inside the pod's own mount namespace (the
 * one the pause process holds, a slave of the host's, so nothing
 * propagates back), and only onto a mount point that already exists:
 * containers share the host's filesystem, and creating a directory there
 * would change the host. A missing mount point is reported, never created.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { KubeObject } from '../../api/meta.ts';
import type { Kernel, Sandbox } from '../types.ts';
import { ContainerConfigError, fieldRefValue, objectData, type EnvFacts } from './container-env.ts';

export interface VolumeMountSpec {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}

export interface PreparedVolume {
  name: string;
  /** Where the volume's files are on the host. */
  path: string;
}

/** An error while setting up a volume (the kubelet's FailedMount). */
export class VolumeError extends Error {
  readonly code = 'VOLUME';
  constructor(message: string) {
    super(message);
    this.name = 'VolumeError';
  }
}

type Getter = (kind: 'ConfigMap' | 'Secret', name: string) => Promise<KubeObject | undefined>;

/** The file name must stay inside the volume (no `..`, not absolute), as the API validates item paths. */
function safeJoin(dir: string, rel: string): string {
  const n = normalize(rel);
  if (n.startsWith('/') || n === '..' || n.startsWith('../')) throw new VolumeError(`invalid path "${rel}"`);
  return join(dir, n);
}

async function writeItems(dir: string, data: Record<string, string>, items: { key: string; path: string; mode?: number }[] | undefined, mode: number, what: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const list = items?.length ? items : Object.keys(data).map((key) => ({ key, path: key, mode: undefined }));
  for (const it of list) {
    if (!Object.hasOwn(data, it.key)) {
      throw new VolumeError(what === 'configmap' ? `configmap references non-existent config key: ${it.key}` : `references non-existent secret key: ${it.key}`);
    }
    const file = safeJoin(dir, it.path);
    await mkdir(dirname(file), { recursive: true });
    await replaceFile(file, data[it.key], it.mode ?? mode);
  }
}

/**
 * Writes a volume file so that a reader sees the old or the new content, never half of it (the
 * volume is written again while the pod runs): a temporary file in the same folder, then rename.
 * Unchanged content is left alone.
 */
async function replaceFile(file: string, content: string, mode: number): Promise<void> {
  const old = await readFile(file, 'utf8').catch(() => undefined);
  if (old === content) return;
  const tmp = `${file}.nk-${process.pid}.tmp`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, file);
}

async function writeDownward(dir: string, pod: KubeObject, items: any[] | undefined, mode: number, facts: EnvFacts): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const it of items ?? []) {
    if (!it.fieldRef) continue;
    const file = safeJoin(dir, it.path);
    await mkdir(dirname(file), { recursive: true });
    try {
      await replaceFile(file, fieldRefValue(pod, it.fieldRef.fieldPath, facts), it.mode ?? mode);
    } catch (e) {
      if (e instanceof ContainerConfigError) throw new VolumeError(e.message);
      throw e;
    }
  }
}

async function objectSource(get: Getter, kind: 'ConfigMap' | 'Secret', name: string, optional: boolean | undefined): Promise<Record<string, string> | undefined> {
  const obj = await get(kind, name);
  if (!obj) {
    if (optional) return undefined;
    throw new VolumeError(`${kind === 'Secret' ? 'secret' : 'configmap'} "${name}" not found`);
  }
  return objectData(obj);
}

/**
 * Writes every volume of the pod under `<podDir>/volumes`. Throws VolumeError with the text of the
 * kubelet's FailedMount event (`MountVolume.SetUp failed for volume "x" : configmap "y" not found`).
 */
export async function prepareVolumes(pod: KubeObject, podDir: string, get: Getter, facts: EnvFacts): Promise<PreparedVolume[]> {
  const out: PreparedVolume[] = [];
  for (const v of (pod.spec?.volumes ?? []) as any[]) {
    const dir = join(podDir, 'volumes', v.name);
    try {
      if (v.hostPath) {
        const type = v.hostPath.type ?? '';
        if (type === 'DirectoryOrCreate') await mkdir(v.hostPath.path, { recursive: true, mode: 0o755 });
        else if (type === 'FileOrCreate' && !existsSync(v.hostPath.path)) await writeFile(v.hostPath.path, '', { mode: 0o644 });
        else if (type === 'Directory' && !(await stat(v.hostPath.path).catch(() => undefined))?.isDirectory()) throw new VolumeError(`hostPath type check failed: ${v.hostPath.path} is not a directory`);
        else if (type === 'File' && !(await stat(v.hostPath.path).catch(() => undefined))?.isFile()) throw new VolumeError(`hostPath type check failed: ${v.hostPath.path} is not a file`);
        out.push({ name: v.name, path: v.hostPath.path });
        continue;
      }
      if (v.configMap) {
        const data = await objectSource(get, 'ConfigMap', v.configMap.name, v.configMap.optional);
        await writeItems(dir, data ?? {}, data ? v.configMap.items : [], v.configMap.defaultMode ?? 0o644, 'configmap');
      } else if (v.secret) {
        const data = await objectSource(get, 'Secret', v.secret.secretName, v.secret.optional);
        await writeItems(dir, data ?? {}, data ? v.secret.items : [], v.secret.defaultMode ?? 0o644, 'secret');
      } else if (v.downwardAPI) {
        await writeDownward(dir, pod, v.downwardAPI.items, v.downwardAPI.defaultMode ?? 0o644, facts);
      } else if (v.projected) {
        const mode = v.projected.defaultMode ?? 0o644;
        await mkdir(dir, { recursive: true });
        // Service account tokens are not issued by nanokube (no token volumes); that source stays empty.
        for (const s of v.projected.sources ?? []) {
          if (s.configMap) {
            const data = await objectSource(get, 'ConfigMap', s.configMap.name, s.configMap.optional);
            if (data) await writeItems(dir, data, s.configMap.items, mode, 'configmap');
          } else if (s.secret) {
            const data = await objectSource(get, 'Secret', s.secret.name, s.secret.optional);
            if (data) await writeItems(dir, data, s.secret.items, mode, 'secret');
          } else if (s.downwardAPI) await writeDownward(dir, pod, s.downwardAPI.items, mode, facts);
        }
      } else {
        // emptyDir, and every other type as an empty directory.
        await mkdir(dir, { recursive: true, mode: 0o777 });
      }
      out.push({ name: v.name, path: dir });
    } catch (e) {
      throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${(e as Error).message}`);
    }
  }
  return out;
}

export interface MountResult {
  mounted: string[];
  /** Mount points that do not exist on this machine (not created: see the module comment). */
  skipped: string[];
}

/** Mount points already present in the pause process's mount namespace (mountinfo field 5, octal escapes undone). */
async function mountPoints(pid: number): Promise<Set<string>> {
  const text = await readFile(`/proc/${pid}/mountinfo`, 'utf8').catch(() => '');
  return new Set(text.split('\n').filter(Boolean).map((l) => l.split(' ')[4].replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)))));
}

/** True when pid's mount namespace is not ours: a mount there can never land in the host's. */
async function ownMountNamespace(pid: number): Promise<boolean> {
  try {
    const [a, b] = await Promise.all([stat(`/proc/${pid}/ns/mnt`), stat('/proc/self/ns/mnt')]);
    return a.ino !== b.ino || a.dev !== b.dev;
  } catch {
    return false;
  }
}

/**
 * Bind-mounts a container's volumeMounts in the pod's mount namespace. Idempotent (a mount point
 * already there is kept, e.g. after an agent restart). hostNetwork pods have no mount namespace of
 * their own: nothing is mounted for them.
 */
export async function mountVolumes(kernel: Kernel, sandbox: Sandbox, volumes: PreparedVolume[], mounts: VolumeMountSpec[]): Promise<MountResult> {
  const res: MountResult = { mounted: [], skipped: [] };
  if (!mounts.length) return res;
  if (!sandbox.pausePid || !(await ownMountNamespace(sandbox.pausePid))) {
    res.skipped.push(...mounts.map((m) => m.mountPath));
    return res;
  }
  const have = await mountPoints(sandbox.pausePid);
  for (const m of mounts) {
    const vol = volumes.find((v) => v.name === m.name);
    const target = normalize(m.mountPath);
    if (!vol || !target.startsWith('/') || target === '/') {
      res.skipped.push(m.mountPath);
      continue;
    }
    if (have.has(target)) {
      res.mounted.push(target);
      continue;
    }
    const source = m.subPath ? safeJoin(vol.path, m.subPath) : vol.path;
    const srcStat = statSync(source, { throwIfNoEntry: false });
    const dstStat = statSync(target, { throwIfNoEntry: false });
    if (!srcStat || !dstStat || srcStat.isDirectory() !== dstStat.isDirectory()) {
      res.skipped.push(m.mountPath);
      continue;
    }
    const enter = ['nsenter', '--target', String(sandbox.pausePid), '--mount', '--'];
    await kernel.run([...enter, 'mount', '--bind', source, target]);
    if (m.readOnly) await kernel.run([...enter, 'mount', '-o', 'remount,bind,ro', target]);
    have.add(target);
    res.mounted.push(target);
  }
  return res;
}

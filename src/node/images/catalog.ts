/**
 * @module The node's image catalog: turns a container's image, command and
 * args into the argv that runs on this node. There is no pull: an image is
 * either a built-in (implemented in this project, or the host's userland for
 * shell images) or an entry of the user catalog; anything else fails as
 * `ErrImagePull` would.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BUILTIN_IMAGES } from './builtins.ts';
import { findNginx } from './nginx.ts';
import { ImageReferenceError, matchesImage, parseImageReference, referenceNames, type ImageReference } from './reference.ts';
import type { UserCatalog } from './user-catalog.ts';

/** What runs: the argv (argv[0] a path or a name looked up in PATH) and what the image adds. */
export interface ResolvedImage {
  argv: string[];
  /** The image's own environment (Dockerfile ENV); the container's env is applied over it. */
  env?: Record<string, string>;
  /** The image's WORKDIR; the container's workingDir wins. */
  workingDir?: string;
  /** Files the runtime writes before starting the process (a generated nginx.conf, a web root). */
  files?: { path: string; content: string }[];
  /** The canonical reference that was resolved (`docker.io/library/nginx:latest`), for imageID. */
  image: string;
  /** Which catalog entry answered: a built-in's name, or `user:<pattern>`. */
  source: string;
}

export type ImageErrorReason = 'ErrImagePull' | 'InvalidImageName' | 'CreateContainerError';

/** An image that cannot run here; `reason` is the waiting reason the kubelet reports. */
export class ImageError extends Error {
  readonly code = 'IMAGE';
  readonly reason: ImageErrorReason;
  readonly image: string;
  constructor(reason: ImageErrorReason, image: string, message: string) {
    super(message);
    this.name = 'ImageError';
    this.reason = reason;
    this.image = image;
  }
}

export interface ContainerPortLike {
  containerPort: number;
  protocol?: string;
  name?: string;
}

/** The parts of a v1.Container the catalog reads. command/args already have $(VAR) expanded. */
export interface ContainerCommand {
  command?: string[];
  args?: string[];
  ports?: ContainerPortLike[];
}

/** What an image definition sees when it turns its final argv into a process. */
export interface ImageContext {
  ref: ImageReference;
  ports: ContainerPortLike[];
  /** Path of the host's nginx binary, or null when there is none. */
  nginxPath: string | null;
  /** A directory owned by this container for generated files; absent: nothing may be written. */
  stateDir?: string;
  /** Host address the built-in servers bind to instead of all addresses (tests bind 127.0.0.1). */
  bindAddress?: string;
  lookPath(bin: string): string | null;
}

/** One image of the catalog, as a Dockerfile would describe it plus the node-side binding. */
export interface ImageDefinition {
  name: string;
  /** Globs over the reference's spellings (`nginx`, `docker.io/library/nginx:1.27`, ...). */
  patterns: string[];
  /** Dockerfile ENTRYPOINT and CMD, for Kubernetes' command/args rules. */
  entrypoint: string[];
  cmd: string[];
  env?: Record<string, string>;
  workingDir?: string;
  /**
   * Maps the final argv onto this node: the image's own binaries (`/agnhost`,
   * `nginx`) become built-in programs, other commands run from the host's
   * userland. Absent: the argv runs as it is.
   */
  exec?(argv: string[], ctx: ImageContext): Omit<ResolvedImage, 'image' | 'source' | 'env' | 'workingDir'> & { env?: Record<string, string> };
}

export interface ResolveOptions {
  userCatalog?: UserCatalog;
  /** undefined: look for nginx on this machine; null: behave as if there were none. */
  nginxPath?: string | null;
  stateDir?: string;
  bindAddress?: string;
  /** Extra definitions consulted after the user catalog and before the built-ins (add-on images). */
  extraImages?: ImageDefinition[];
  lookPath?: (bin: string) => string | null;
}

/** The PATH of the images' userland (Dockerfile default), used when looking up argv[0]. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Kubernetes' command/args rules (the CRI runtime applies them to the image
 * config): command replaces ENTRYPOINT and drops CMD; args alone replace CMD.
 * An empty list counts as not given, as in the kubelet (`len(...) != 0`).
 */
export function composeArgv(image: { entrypoint: string[]; cmd: string[] }, container: ContainerCommand): string[] {
  const command = container.command ?? [];
  const args = container.args ?? [];
  if (command.length > 0) return [...command, ...args];
  return [...image.entrypoint, ...(args.length > 0 ? args : image.cmd)];
}

export function resolveImage(image: string, container: ContainerCommand, opts: ResolveOptions = {}): ResolvedImage | ImageError {
  let ref: ImageReference;
  try {
    ref = parseImageReference(image);
  } catch (err) {
    if (!(err instanceof ImageReferenceError)) throw err;
    // The kubelet's text for a name it cannot default a tag on (InvalidImageName).
    return new ImageError('InvalidImageName', image, `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${err.message}`);
  }
  const names = referenceNames(ref, image);
  const def = findDefinition(names, opts);
  if (!def) {
    return new ImageError(
      'ErrImagePull',
      image,
      // containerd says `failed to pull and unpack image "X": failed to resolve reference "X": X: not found`;
      // nanokube keeps that shape and says where images come from instead of a registry.
      `failed to pull and unpack image "${ref.canonical}": failed to resolve reference "${ref.canonical}": ${ref.canonical}: not found ` +
        '(nanokube does not pull images: it runs its built-in images and the entries of the user catalog)',
    );
  }
  const argv = composeArgv(def, container);
  if (argv.length === 0) {
    return new ImageError('CreateContainerError', image, `failed to generate container spec: no command specified (image "${image}" has no entrypoint or cmd in the catalog)`);
  }
  const ctx: ImageContext = {
    ref,
    ports: container.ports ?? [],
    nginxPath: opts.nginxPath === undefined ? findNginx() : opts.nginxPath,
    stateDir: opts.stateDir,
    bindAddress: opts.bindAddress,
    lookPath: opts.lookPath ?? ((bin) => lookPath(bin)),
  };
  const run = def.exec ? def.exec(argv, ctx) : { argv };
  const env: Record<string, string> = { PATH: DEFAULT_PATH, ...def.env, ...run.env };
  if (opts.bindAddress) env.NANOKUBE_BIND_ADDRESS = opts.bindAddress;
  const out: ResolvedImage = { argv: run.argv, env, image: ref.canonical, source: def.name };
  if (def.workingDir) out.workingDir = def.workingDir;
  if (run.files?.length) out.files = run.files;
  return out;
}

function findDefinition(names: string[], opts: ResolveOptions): ImageDefinition | undefined {
  const user = opts.userCatalog?.lookup(names);
  if (user) return user;
  for (const def of [...(opts.extraImages ?? []), ...BUILTIN_IMAGES]) {
    if (def.patterns.some((p) => matchesImage(p, names))) return def;
  }
  return undefined;
}

/** exec.LookPath: a name with a slash is used as is; otherwise the first executable in PATH. */
export function lookPath(bin: string, path: string = DEFAULT_PATH): string | null {
  const executable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (bin.includes('/')) return executable(bin) ? bin : null;
  for (const dir of path.split(delimiter)) {
    if (dir && executable(join(dir, bin))) return join(dir, bin);
  }
  return null;
}

/**
 * @module Image references as the container runtime reads them
 * (github.com/distribution/reference): `nginx` is
 * `docker.io/library/nginx:latest`, a first path component with a dot, a
 * colon or `localhost` is a registry, a tag follows the last colon of the
 * last component, a digest follows `@`. The kubelet refuses names that do
 * not parse with `InvalidImageName`, so parse errors carry upstream's text.
 */

export interface ImageReference {
  /** Registry host, `docker.io` when none is given. */
  domain: string;
  /** Repository path, `library/` added for official Docker Hub images. */
  path: string;
  /** Tag; `latest` when neither a tag nor a digest is given (the kubelet's "default image tag"). */
  tag?: string;
  digest?: string;
  /** `domain/path`. */
  repository: string;
  /** The short form Docker prints: `nginx`, `hashicorp/http-echo`, `registry.k8s.io/pause`. */
  familiar: string;
  /** The fully qualified reference: `docker.io/library/nginx:latest`. */
  canonical: string;
}

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DOMAIN = 'index.docker.io';
// distribution/reference's grammar, component by component.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$|^\[[0-9a-fA-F:.]+\](?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const NAME_TOTAL_LENGTH_MAX = 255;

/** A name the runtime cannot parse; the message is distribution/reference's. */
export class ImageReferenceError extends Error {
  readonly code = 'INVALID_REFERENCE';
  constructor(message: string) {
    super(message);
    this.name = 'ImageReferenceError';
  }
}

/** Parses and normalises an image reference (ParseNormalizedNamed + TagNameOnly). */
export function parseImageReference(image: string): ImageReference {
  if (image === '' || image !== image.trim()) throw new ImageReferenceError('invalid reference format');
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new ImageReferenceError('invalid reference format');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ImageReferenceError('invalid reference format');
  }
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (domain === LEGACY_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (!DOMAIN.test(domain)) throw new ImageReferenceError('invalid reference format');
  if (path !== path.toLowerCase()) {
    throw new ImageReferenceError(`invalid reference format: repository name (${path}) must be lowercase`);
  }
  if (path.split('/').some((c) => !PATH_COMPONENT.test(c))) throw new ImageReferenceError('invalid reference format');
  const repository = `${domain}/${path}`;
  if (repository.length > NAME_TOTAL_LENGTH_MAX) {
    throw new ImageReferenceError(`invalid reference format: repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  if (!tag && !digest) tag = 'latest';
  const familiar = domain === DEFAULT_DOMAIN ? path.replace(/^library\//, '') : repository;
  const canonical = repository + (tag ? `:${tag}` : '') + (digest ? `@${digest}` : '');
  return { domain, path, tag, digest, repository, familiar, canonical };
}

/**
 * Every spelling of a reference a catalog pattern may be written against:
 * repository (full and familiar), each with the tag and with the digest,
 * and the string as the user wrote it.
 */
export function referenceNames(ref: ImageReference, original: string): string[] {
  const names = new Set<string>([original, ref.repository, ref.familiar]);
  for (const repo of [ref.repository, ref.familiar]) {
    if (ref.tag) names.add(`${repo}:${ref.tag}`);
    if (ref.digest) names.add(`${repo}@${ref.digest}`);
    if (ref.tag && ref.digest) names.add(`${repo}:${ref.tag}@${ref.digest}`);
  }
  return [...names];
}

/** Glob over a whole name: `*` is any run of characters (slashes too), `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** True when the glob matches any spelling of the reference. */
export function matchesImage(glob: string, names: string[]): boolean {
  const re = globToRegExp(glob);
  return names.some((n) => re.test(n));
}

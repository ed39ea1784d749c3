/**
 * @module Parses a request path and method into what upstream calls
 * RequestInfo: the verb, group, version, namespace, resource, name and
 * subresource of a resource request, or a non-resource path.
 */

export interface ResourceRequest {
  kind: 'resource';
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** For `.../{name}/{subresource}/...rest` (proxy paths). */
  rest: string[];
}

export interface NonResourceRequest {
  kind: 'nonresource';
  path: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

export function parseRequest(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let i: number;
  let group = '';
  if (parts[0] === 'api') i = 1;
  else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1];
    i = 2;
  } else return { kind: 'nonresource', path: pathname };
  const version = parts[i++];
  if (!version || i >= parts.length) return { kind: 'nonresource', path: pathname };
  let rest = parts.slice(i);
  let watchPath = false;
  // Deprecated /watch/ paths are still what some clients use.
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // As upstream's RequestInfoFactory: /namespaces/{ns}/{resource}... is namespaced, except the
  // namespace's own subresources (status, finalize), which address the namespace object.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !['status', 'finalize'].includes(rest[2])) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...tail] = rest;
  if (!resource) return { kind: 'nonresource', path: pathname };
  const watch = watchPath || query.get('watch') === 'true' || query.get('watch') === '1';
  let verb: ResourceRequest['verb'];
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = watch ? 'watch' : name !== undefined ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name !== undefined ? 'delete' : 'deletecollection';
      break;
    default:
      verb = 'get';
  }
  return { kind: 'resource', verb, group, version, namespace, resource, name, subresource, rest: tail };
}

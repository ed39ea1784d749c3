/**
 * @module The REST routes of each served resource, described once and rendered
 * by both OpenAPI documents (v3 per group-version, v2 whole). Operation ids,
 * actions, query parameters and bodies follow upstream's generated spec, so
 * kubectl finds what it looks for: a PATCH operation carrying the resource's
 * x-kubernetes-group-version-kind and a `fieldValidation` parameter
 * (cli-runtime query_param_verifier_v3.go), and a strategic-merge-patch body.
 */

import type { ResourceDef } from '../resources.ts';

export interface Param {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'integer' | 'boolean';
  description: string;
  required?: boolean;
}

export type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Operation {
  method: Method;
  action: Action;
  operationId: string;
  description: string;
  gvk: { group: string; version: string; kind: string };
  params: Param[];
  /** Definition name of the request body; 'Patch' for patch bodies. */
  body?: string;
  /** Definition name of the 200 response. */
  response: string;
  /** Other success codes, each with the same body as 200 (201 Created, 202 Accepted). */
  alsoCodes: number[];
}

export interface Route {
  path: string;
  params: Param[];
  ops: Operation[];
}

const q = (name: string, type: Param['type'], description: string): Param => ({ name, in: 'query', type, description });

const P = {
  pretty: q('pretty', 'string', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: q('dryRun', 'string', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: q('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.'),
  fieldValidation: q('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.'),
  force: q('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.'),
  ignoreStoreReadError: q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned.'),
  propagationPolicy: q('propagationPolicy', 'string', "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground."),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
  continue: q('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
  fieldSelector: q('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: q('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  resourceVersion: q('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', '`sendInitialEvents=true` may be set together with `watch=true`.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.'),
  watch: q('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.'),
};

const WRITE = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH = [...WRITE, P.force];
const DELETE = [P.dryRun, P.gracePeriodSeconds, P.ignoreStoreReadError, P.orphanDependents, P.propagationPolicy];
const LIST = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const DELETE_COLLECTION = [
  P.continue,
  P.dryRun,
  P.fieldSelector,
  P.gracePeriodSeconds,
  P.ignoreStoreReadError,
  P.labelSelector,
  P.limit,
  P.orphanDependents,
  P.propagationPolicy,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
];

const pathParam = (name: string, description: string): Param => ({ name, in: 'path', type: 'string', description, required: true });
const NAMESPACE = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

/** The definition-name package of a group: core/v1 → io.k8s.api.core.v1. */
export function definitionPackage(group: string, version: string): string {
  return `io.k8s.api.${group === '' ? 'core' : group.split('.')[0]}.${version}`;
}

/** URL prefix of a group-version: `/api/v1`, `/apis/apps/v1`. */
export function groupVersionPrefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** The operationId infix upstream uses: CoreV1, AppsV1, NetworkingV1. */
function opGroup(group: string, version: string): string {
  const g = group === '' ? 'core' : group.split('.')[0];
  return `${g[0].toUpperCase()}${g.slice(1)}${version[0].toUpperCase()}${version.slice(1)}`;
}

const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const SCALE = 'io.k8s.api.autoscaling.v1.Scale';

/** Every route of one resource: collection, item, all-namespaces list, and the status and scale subresources. */
export function resourceRoutes(r: ResourceDef): Route[] {
  const prefix = groupVersionPrefix(r.group, r.version);
  const pkg = definitionPackage(r.group, r.version);
  const kindDef = `${pkg}.${r.kind}`;
  const listDef = `${pkg}.${r.listKind}`;
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const g = opGroup(r.group, r.version);
  const ns = r.namespaced ? 'Namespaced' : '';
  const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
  const scopeParams = r.namespaced ? [NAMESPACE] : [];
  const name = pathParam('name', `name of the ${r.kind}`);
  const op = (o: Omit<Operation, 'alsoCodes'> & { alsoCodes?: number[] }): Operation => ({ alsoCodes: [], ...o });

  const routes: Route[] = [
    {
      path: base,
      params: [...scopeParams, P.pretty],
      ops: [
        op({ method: 'get', action: 'list', operationId: `list${g}${ns}${r.kind}`, description: `list or watch objects of kind ${r.kind}`, gvk, params: LIST, response: listDef }),
        op({ method: 'post', action: 'post', operationId: `create${g}${ns}${r.kind}`, description: `create a ${r.kind}`, gvk, params: WRITE, body: kindDef, response: kindDef, alsoCodes: [201, 202] }),
        op({ method: 'delete', action: 'deletecollection', operationId: `delete${g}Collection${ns}${r.kind}`, description: `delete collection of ${r.kind}`, gvk, params: DELETE_COLLECTION, body: DELETE_OPTIONS, response: STATUS }),
      ],
    },
    {
      path: `${base}/{name}`,
      params: [name, ...scopeParams, P.pretty],
      ops: [
        op({ method: 'get', action: 'get', operationId: `read${g}${ns}${r.kind}`, description: `read the specified ${r.kind}`, gvk, params: [], response: kindDef }),
        op({ method: 'put', action: 'put', operationId: `replace${g}${ns}${r.kind}`, description: `replace the specified ${r.kind}`, gvk, params: WRITE, body: kindDef, response: kindDef, alsoCodes: [201] }),
        op({ method: 'patch', action: 'patch', operationId: `patch${g}${ns}${r.kind}`, description: `partially update the specified ${r.kind}`, gvk, params: PATCH, body: 'Patch', response: kindDef, alsoCodes: [201] }),
        op({ method: 'delete', action: 'delete', operationId: `delete${g}${ns}${r.kind}`, description: `delete a ${r.kind}`, gvk, params: DELETE, body: DELETE_OPTIONS, response: STATUS, alsoCodes: [202] }),
      ],
    },
  ];
  if (r.namespaced) {
    routes.push({
      path: `${prefix}/${r.plural}`,
      params: [P.pretty],
      ops: [op({ method: 'get', action: 'list', operationId: `list${g}${r.kind}ForAllNamespaces`, description: `list or watch objects of kind ${r.kind}`, gvk, params: LIST, response: listDef })],
    });
  }
  const sub = (suffix: 'status' | 'scale', subGvk: Operation['gvk'], def: string, what: string): Route => {
    const S = suffix === 'status' ? 'Status' : 'Scale';
    return {
      path: `${base}/{name}/${suffix}`,
      params: [pathParam('name', `name of the ${subGvk.kind}`), ...scopeParams, P.pretty],
      ops: [
        op({ method: 'get', action: 'get', operationId: `read${g}${ns}${r.kind}${S}`, description: `read ${what} of the specified ${r.kind}`, gvk: subGvk, params: [], response: def }),
        op({ method: 'put', action: 'put', operationId: `replace${g}${ns}${r.kind}${S}`, description: `replace ${what} of the specified ${r.kind}`, gvk: subGvk, params: WRITE, body: def, response: def, alsoCodes: [201] }),
        op({ method: 'patch', action: 'patch', operationId: `patch${g}${ns}${r.kind}${S}`, description: `partially update ${what} of the specified ${r.kind}`, gvk: subGvk, params: PATCH, body: 'Patch', response: def, alsoCodes: [201] }),
      ],
    };
  };
  if (r.status) routes.push(sub('status', gvk, kindDef, 'status'));
  if (r.scale) routes.push(sub('scale', { group: 'autoscaling', version: 'v1', kind: 'Scale' }, SCALE, 'scale'));
  return routes;
}

/**
 * @module Server-side printing: turns objects of a served kind into the
 * meta.k8s.io/v1 Table that `kubectl get` asks for
 * (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), with upstream
 * v1.32's columns and cells (pkg/printers/internalversion/printers.go).
 */
import { ApiError } from '../errors.ts';
import { apiVersionOf, type KubeObject } from '../meta.ts';
import type { ResourceDef } from '../resources.ts';
import { deploymentPrinter, replicaSetPrinter, replicationControllerPrinter } from './apps.ts';
import { configMapPrinter, leasePrinter, namespacePrinter, resourceQuotaPrinter, secretPrinter, serviceAccountPrinter } from './core-other.ts';
import { eventPrinter, nodePrinter } from './core-nodes-events.ts';
import { podPrinter } from './core-pods.ts';
import { endpointsPrinter, servicePrinter } from './core-services.ts';
import { defaultPrinter } from './default.ts';
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter } from './networking.ts';
import type { Printer, Table, TableRow } from './types.ts';

export type { Cell, PartialObjectMetadata, Printer, Table, TableColumnDefinition, TableRow, TableRowCondition } from './types.ts';
export { humanDuration, translateTimestampSince } from './format.ts';

export type IncludeObject = 'None' | 'Object' | 'Metadata';

export interface TableOptions {
  /** The clock AGE and LAST SEEN are measured against. */
  now: Date;
  /** metav1.TableOptions.includeObject; kubectl sends `Object`. */
  includeObject: IncludeObject;
  /** Leave out columnDefinitions (upstream's TableOptions.NoHeaders, used after the first watch event). */
  noHeaders?: boolean;
  /** The list's (or the single object's) metadata, copied to the Table as upstream's GenerateTable does. */
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Keyed `group/Kind`, core group as ''. LimitRange has no upstream printer and takes the default. */
const printers: Record<string, Printer> = {
  '/Pod': podPrinter,
  '/Service': servicePrinter,
  '/Endpoints': endpointsPrinter,
  '/Namespace': namespacePrinter,
  '/Node': nodePrinter,
  '/Event': eventPrinter,
  '/ConfigMap': configMapPrinter,
  '/Secret': secretPrinter,
  '/ServiceAccount': serviceAccountPrinter,
  '/ResourceQuota': resourceQuotaPrinter,
  '/ReplicationController': replicationControllerPrinter,
  'apps/ReplicaSet': replicaSetPrinter,
  'apps/Deployment': deploymentPrinter,
  'networking.k8s.io/Ingress': ingressPrinter,
  'networking.k8s.io/IngressClass': ingressClassPrinter,
  'discovery.k8s.io/EndpointSlice': endpointSlicePrinter,
  'coordination.k8s.io/Lease': leasePrinter,
};

/** The printer for a kind, or the apiserver's default (Name, Created At). */
export function printerFor(group: string, kind: string): Printer {
  return printers[`${group}/${kind}`] ?? defaultPrinter;
}

/**
 * The includeObject query parameter as the apiserver reads it: absent or
 * empty means Metadata; anything else unknown is a 400 with upstream's text.
 */
export function parseIncludeObject(value: string | null | undefined): IncludeObject {
  if (value === undefined || value === null || value === '' || value === 'Metadata') return 'Metadata';
  if (value === 'Object' || value === 'None') return value;
  throw new ApiError(400, 'BadRequest', `unrecognized includeObject value: "${value}"`);
}

function rowObject(def: ResourceDef, obj: KubeObject, include: IncludeObject): TableRow['object'] {
  switch (include) {
    case 'None':
      return undefined;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
    case 'Object':
      // Items of a list may come without their type; the Table carries them typed.
      if (obj.apiVersion && obj.kind) return obj;
      return { ...obj, apiVersion: obj.apiVersion || apiVersionOf(def.group, def.version), kind: obj.kind || def.kind };
  }
}

/** The Table for one object or one page of a list, every cell computed as with `-o wide`. */
export function toTable(def: ResourceDef, objects: KubeObject[], opts: TableOptions): Table {
  const printer = printerFor(def.group, def.kind);
  const rows = objects.map((obj): TableRow => {
    const printed = printer.print(obj, opts.now);
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions) row.conditions = printed.conditions;
    const object = rowObject(def, obj, opts.includeObject);
    if (object) row.object = object;
    return row;
  });
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.noHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}

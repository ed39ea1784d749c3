/**
 * @module Printers for the small core kinds and Lease: Namespace, ConfigMap,
 * Secret, ServiceAccount, ResourceQuota (v1.32 column order) and
 * coordination.k8s.io Lease, as printers.go has them.
 */
import { ageColumn, col, nameColumn } from './columns.ts';
import { fieldDocs, literalDocs } from './descriptions.ts';
import { rec, str, translateTimestampSince } from './format.ts';
import type { Printer } from './types.ts';

const keyCount = (...maps: unknown[]): number => {
  const keys = new Set<string>();
  for (const m of maps) if (m && typeof m === 'object') for (const k of Object.keys(m)) keys.add(k);
  return keys.size;
};

export const namespacePrinter: Printer = {
  columns: [nameColumn(), col('Status', 'string', literalDocs.namespaceStatus), ageColumn()],
  print: (ns, now) => ({
    cells: [str(ns.metadata?.name), str(ns.status?.phase), translateTimestampSince(ns.metadata?.creationTimestamp, now)],
  }),
};

export const configMapPrinter: Printer = {
  columns: [nameColumn(), col('Data', 'string', fieldDocs.configMapData), ageColumn()],
  print: (cm, now) => ({
    cells: [
      str(cm.metadata?.name),
      // len(Data)+len(BinaryData): validation keeps their keys disjoint.
      Object.keys(rec(cm.data)).length + Object.keys(rec(cm.binaryData)).length,
      translateTimestampSince(cm.metadata?.creationTimestamp, now),
    ],
  }),
};

export const secretPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Type', 'string', fieldDocs.secretType),
    col('Data', 'string', fieldDocs.secretData),
    ageColumn(),
  ],
  print: (s, now) => ({
    cells: [
      str(s.metadata?.name),
      str(s.type),
      // Upstream counts the internal Data, into which conversion merges stringData.
      keyCount(s.data, s.stringData),
      translateTimestampSince(s.metadata?.creationTimestamp, now),
    ],
  }),
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn(), col('Secrets', 'string', fieldDocs.serviceAccountSecrets), ageColumn()],
  print: (sa, now) => ({
    cells: [
      str(sa.metadata?.name),
      Array.isArray(sa.secrets) ? sa.secrets.length : 0,
      translateTimestampSince(sa.metadata?.creationTimestamp, now),
    ],
  }),
};

/** A resource.Quantity as JSON carries it (the apiserver has already canonicalised it); absent is zero. */
const quantity = (v: unknown): string => (v === undefined || v === null || v === '' ? '0' : String(v));

/**
 * printResourceQuota's REQUEST and LIMIT cells: `used/hard` for each resource
 * in status.hard, sorted by name, `limits.*` in LIMIT and everything else in
 * REQUEST, each joined by ', '.
 */
export function quotaColumns(status: any): [string, string] {
  const hard = rec(status?.hard);
  const used = rec(status?.used);
  const request: string[] = [];
  const limit: string[] = [];
  for (const resource of Object.keys(hard).sort()) {
    const pieces = resource.split('.');
    const w = pieces.length > 1 && pieces[0] === 'limits' ? limit : request;
    w.push(`${resource}: ${quantity(used[resource])}/${quantity(hard[resource])}`);
  }
  return [request.join(', '), limit.join(', ')];
}

/**
 * v1.32 declares Name, Age, Request, Limit and prints cells in that order;
 * v1.33 (kubernetes#129419) moved Age last. We follow v1.32.
 */
export const resourceQuotaPrinter: Printer = {
  columns: [
    nameColumn(),
    ageColumn(),
    col('Request', 'string', literalDocs.quotaRequest),
    col('Limit', 'string', literalDocs.quotaLimit),
  ],
  print: (rq, now) => {
    const [request, limit] = quotaColumns(rq.status);
    return { cells: [str(rq.metadata?.name), translateTimestampSince(rq.metadata?.creationTimestamp, now), request, limit] };
  },
};

export const leasePrinter: Printer = {
  columns: [nameColumn(), col('Holder', 'string', fieldDocs.leaseHolderIdentity), ageColumn()],
  print: (l, now) => ({
    cells: [str(l.metadata?.name), str(l.spec?.holderIdentity), translateTimestampSince(l.metadata?.creationTimestamp, now)],
  }),
};

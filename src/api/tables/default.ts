/**
 * @module The apiserver's fallback table (k8s.io/apiserver registry/rest
 * defaultTableConvertor) for kinds printers.go has no printer for, LimitRange
 * among them: Name and "Created At" as an RFC 3339 date.
 */
import { col, nameColumn } from './columns.ts';
import { fieldDocs } from './descriptions.ts';
import { parseTime, str } from './format.ts';
import type { Printer } from './types.ts';

/** m.GetCreationTimestamp().Time.UTC().Format(time.RFC3339): whole seconds; Go's zero time when unset. */
export function createdAt(ts: unknown): string {
  const t = parseTime(ts);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const defaultPrinter: Printer = {
  columns: [nameColumn(), col('Created At', 'date', fieldDocs.creationTimestamp)],
  print: (obj) => ({ cells: [str(obj.metadata?.name), createdAt(obj.metadata?.creationTimestamp)] }),
};

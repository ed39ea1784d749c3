/**
 * @module Column definition builders and the two columns nearly every
 * printer shares (Name, Age), as printers.go declares them.
 */
import { fieldDocs, literalDocs } from './descriptions.ts';
import type { TableColumnDefinition } from './types.ts';

export function col(
  name: string,
  type: string,
  description: string,
  opts: { priority?: number; format?: string } = {},
): TableColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

/** `{Name: "Name", Type: "string", Format: "name", ...}`: kubectl finds the name column by this format. */
export const nameColumn = (): TableColumnDefinition => col('Name', 'string', fieldDocs.name, { format: 'name' });

/** Upstream's Age column is a string (already humanised), not a 'date'. */
export const ageColumn = (): TableColumnDefinition => col('Age', 'string', fieldDocs.creationTimestamp);

/** The three wide columns of every workload printer: Containers, Images, Selector. */
export const workloadWideColumns = (selectorDoc: string): TableColumnDefinition[] => [
  col('Containers', 'string', literalDocs.containers, { priority: 1 }),
  col('Images', 'string', literalDocs.images, { priority: 1 }),
  col('Selector', 'string', selectorDoc, { priority: 1 }),
];

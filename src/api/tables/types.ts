/**
 * @module The meta.k8s.io/v1 Table shapes (metav1.Table, TableColumnDefinition,
 * TableRow) and the Printer contract every resource group implements.
 */
import type { KubeObject, ObjectMeta } from '../meta.ts';

/** metav1.TableColumnDefinition. Every field is always serialised (no omitempty upstream). */
export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type: 'string', 'integer', 'number', 'boolean', 'date'. */
  type: string;
  /** OpenAPI format: 'name' marks the column holding the object's name; '' otherwise. */
  format: string;
  description: string;
  /** 0 = always shown; 1 = shown by `kubectl get -o wide` only. */
  priority: number;
}

export type Cell = string | number | boolean | null;

/** metav1.TableRowCondition: upstream sets `Completed` on finished pods. */
export interface TableRowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: Cell[];
  conditions?: TableRowCondition[];
  /** Absent when includeObject=None. */
  object?: KubeObject | PartialObjectMetadata;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** What one print function returns for one object: the cells, in column order. */
export interface PrintedRow {
  cells: Cell[];
  conditions?: TableRowCondition[];
}

/**
 * One resource's printer: upstream's column definitions plus its print function,
 * always run as the apiserver runs it (GenerateOptions{Wide: true}), so every
 * priority-1 cell is filled and kubectl drops them unless `-o wide`.
 */
export interface Printer {
  columns: TableColumnDefinition[];
  print(obj: KubeObject, now: Date): PrintedRow;
}

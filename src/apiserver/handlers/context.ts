/**
 * @module What every handler receives: the parsed request, the resource,
 * the shared services (objects, admission, type system) and the query.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceDef } from '../../api/resources.ts';
import type { Objects } from '../objects.ts';
import type { ResourceRequest } from '../request-info.ts';
import type { TypeSystem } from '../type-system.ts';
import type { Admission } from '../admission/index.ts';
import type { ResourceDef as Def } from '../../api/resources.ts';
import * as errors from '../../api/errors.ts';

export interface Services {
  objects: Objects;
  types: TypeSystem;
  admission: Admission;
  /** Called after every successful write, for follow-up work (quota status...). */
  afterWrite: (def: Def, namespace: string | undefined) => void;
}

export interface Ctx extends Services {
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequest;
  def: ResourceDef;
  query: URLSearchParams;
  now: Date;
  /** Warning headers to send with the response. */
  warnings: string[];
  user: string;
}

export function dryRun(q: URLSearchParams): boolean {
  const v = q.getAll('dryRun');
  for (const x of v) if (x !== 'All') throw errors.badRequest(`Invalid dryRun parameter: unsupported dry run value "${x}"`);
  return v.length > 0;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation') ?? 'Warn';
  if (v !== 'Strict' && v !== 'Warn' && v !== 'Ignore') {
    throw errors.badRequest(`fieldValidation parameter unsupported: ${v} (valid values: Ignore, Warn, Strict)`);
  }
  return v;
}

/** The manager name for managedFields: the fieldManager parameter, else the user agent's program name (upstream's prefix before '/'). */
export function fieldManager(ctx: Ctx): string {
  const q = ctx.query.get('fieldManager');
  if (q !== null) {
    if (q.length > 128) throw errors.badRequest('fieldManager: Too long: may not be more than 128 bytes');
    return q;
  }
  const ua = String(ctx.req.headers['user-agent'] ?? 'unknown');
  return ua.split('/')[0] || 'unknown';
}

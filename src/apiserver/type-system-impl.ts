/**
 * @module The real TypeSystem: schemas and strict decoding, defaults,
 * validation, patch engines and managed fields, and server-side printing,
 * each from its own module.
 */
import * as errors from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import type { ResourceDef } from '../api/resources.ts';
import { checkFields, pruneUnknown, schemas } from '../api/schema/index.ts';
import type { Definition } from '../api/schema/index.ts';
import { applyDefaults } from '../api/defaults/index.ts';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../api/validation/index.ts';
import { applyPatch, updateManagedFields } from './patch/index.ts';
import { toTable } from '../api/tables/index.ts';
import type { TypeSystem } from './type-system.ts';

const gvk = (def: ResourceDef) => ({ group: def.group, version: def.version, kind: def.kind });

function definition(def: ResourceDef): Definition {
  const d = schemas.forKind(def.group, def.version, def.kind);
  if (!d) throw errors.internalError(`no schema for ${def.kind}`);
  return d;
}

export function typeSystem(): TypeSystem {
  return {
    checkFields: (def, obj) => checkFields(schemas, definition(def), obj),
    pruneUnknown: (def, obj) => pruneUnknown(schemas, definition(def), obj) as KubeObject,
    applyDefaults: (def, obj) => applyDefaults(gvk(def), obj),
    validateCreate: (def, obj) => validateCreate(gvk(def), obj),
    validateUpdate: (def, obj, old) => validateUpdate(gvk(def), obj, old),
    validateStatusUpdate: (def, obj, old) => validateStatusUpdate(gvk(def), obj, old),
    applyPatch: (req) =>
      applyPatch({
        patchType: req.patchType,
        body: req.body,
        live: req.live,
        schemas,
        gvk: gvk(req.def),
        fieldManager: req.fieldManager,
        force: req.force,
        now: req.now,
      }),
    updateManagedFields: (def, old, obj, opts) =>
      updateManagedFields(old, obj, {
        schemas,
        gvk: gvk(def),
        manager: opts.manager,
        operation: 'Update',
        apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
        subresource: opts.subresource || undefined,
        now: opts.now,
      }),
    toTable: (def, objects, opts) => toTable(def, objects, opts),
  };
}

/**
 * @module The narrow interface through which the request handlers use the
 * per-type machinery (strict decoding, defaulting, validation, patching,
 * managed fields, printing). The real one is assembled in
 * `type-system-impl.ts`; tests may pass a smaller one.
 */
import type { FieldError } from '../api/field-errors.ts';
import type { KubeObject } from '../api/meta.ts';
import type { ResourceDef } from '../api/resources.ts';

export interface FieldCheck {
  unknown: string[];
  typeErrors: string[];
}

export interface PatchRequest {
  def: ResourceDef;
  /** The media type: application/json-patch+json, merge-patch+json, strategic-merge-patch+json, apply-patch+yaml. */
  patchType: string;
  body: Buffer;
  /** The live object, or undefined when it does not exist (only server-side apply may create). */
  live: KubeObject | undefined;
  fieldManager: string;
  force: boolean;
  now: Date;
}

export interface TypeSystem {
  checkFields(def: ResourceDef, obj: unknown): FieldCheck;
  pruneUnknown(def: ResourceDef, obj: KubeObject): KubeObject;
  applyDefaults(def: ResourceDef, obj: KubeObject): void;
  validateCreate(def: ResourceDef, obj: KubeObject): FieldError[];
  validateUpdate(def: ResourceDef, obj: KubeObject, old: KubeObject): FieldError[];
  validateStatusUpdate(def: ResourceDef, obj: KubeObject, old: KubeObject): FieldError[];
  /** Returns the patched object (never mutates live). Throws ApiError for bad patches and apply conflicts. */
  applyPatch(req: PatchRequest): KubeObject;
  /** Records the fields an ordinary write changed for its manager (metadata.managedFields). */
  updateManagedFields(
    def: ResourceDef,
    old: KubeObject | undefined,
    obj: KubeObject,
    opts: { manager: string; subresource: string; now: Date },
  ): void;
  toTable(def: ResourceDef, objects: KubeObject[], opts: { now: Date; includeObject: 'None' | 'Object' | 'Metadata' }): {
    columnDefinitions: unknown[];
    rows: unknown[];
  };
}

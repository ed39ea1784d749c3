/**
 * @module The language of the field tables: for each property of a schema
 * definition, where its value sits in upstream's protobuf message.
 */

/**
 * A property read through nested messages or with its zero value kept.
 * `path` has more than one number where Go inlines a struct into the JSON
 * object (`json:",inline"`, e.g. Volume's VolumeSource, field 2) while
 * protobuf keeps it as a nested message: the first number is the field of
 * the inlined message, the last the property's field inside it.
 */
export interface FieldRef {
  readonly path: readonly number[];
  /**
   * Go's JSON keeps a zero scalar (a pointer such as `*int32 replicas`, or a
   * field without omitempty such as `containerPort`); otherwise a zero
   * scalar on the wire is a Go zero value that `omitempty` drops.
   */
  readonly keepZero: boolean;
}

/** Not in the message at all: `reason` says where the value comes from. */
export interface NotOnWire {
  readonly skip: string;
}

/** A plain number is a field of this message whose zero scalar value is dropped, as omitempty does. */
export type FieldSpec = number | FieldRef | NotOnWire;

/** Definition name → property → where it is. */
export type FieldTable = Record<string, Record<string, FieldSpec>>;

/** A scalar whose zero value Go's JSON keeps. */
export const k = (n: number): FieldRef => ({ path: [n], keepZero: true });
/** A property of a struct that Go inlines and protobuf nests. */
export const via = (...path: number[]): FieldRef => ({ path, keepZero: false });
/** Both of the above. */
export const viaK = (...path: number[]): FieldRef => ({ path, keepZero: true });

/**
 * apiVersion and kind of a struct that inlines metav1.TypeMeta: the Go
 * field has no protobuf tag; a top-level object's travel in runtime.Unknown's
 * typeMeta, a nested one's (DeleteOptions in an Eviction) are lost.
 */
export const TYPE_META: NotOnWire = { skip: 'metav1.TypeMeta has no protobuf field; the envelope carries it' };

/** Normalises a spec: undefined for a property that is not on the wire. */
export function fieldRef(spec: FieldSpec): FieldRef | undefined {
  if (typeof spec === 'number') return { path: [spec], keepZero: false };
  return 'skip' in spec ? undefined : spec;
}

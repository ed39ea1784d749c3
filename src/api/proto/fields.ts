/**
 * @module The protobuf field table of every definition nanokube serves, by
 * upstream OpenAPI name. The per-group files are generated
 * (tools/gen-fields.ts); fields.test.ts keeps them level with the schemas.
 */

import type { FieldTable } from './field-spec.ts';
import { metaFields } from './fields-meta.ts';
import { podFields } from './fields-pod.ts';
import { volumeFields } from './fields-volume.ts';
import { coreFields } from './fields-core.ts';
import { groupFields } from './fields-groups.ts';

export type { FieldRef, FieldSpec, FieldTable, NotOnWire } from './field-spec.ts';
export { fieldRef } from './field-spec.ts';

export const fieldTable: FieldTable = { ...metaFields, ...podFields, ...volumeFields, ...coreFields, ...groupFields };

/**
 * @module Writes the field tables (fields-*.ts) from the schemas and the
 * facts in the kubectl binary: each Go struct's `json` and `protobuf` tags
 * give a property's field number (through `json:",inline"` structs, whose
 * proto field is a nested message), whether Go keeps a zero value (a
 * pointer, or no omitempty), and each number is checked against the
 * binary's FileDescriptorProtos and the schema's kind.
 *
 *   node src/api/proto/tools/gen-fields.ts [/path/to/kubectl.1.32]
 *
 * Prints every mismatch and exits 1 on any; writes nothing then.
 */

import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Definition, Schema } from '../../schema/types.ts';
import { metaDefinitions } from '../../schema/meta.ts';
import { subresourceDefinitions } from '../../schema/subresources.ts';
import { podDefinitions } from '../../schema/core-pod.ts';
import { containerDefinitions } from '../../schema/core-container.ts';
import { securityDefinitions } from '../../schema/core-security.ts';
import { schedulingDefinitions } from '../../schema/core-scheduling.ts';
import { volumeDefinitions } from '../../schema/core-volume.ts';
import { inTreeVolumeDefinitions } from '../../schema/core-volume-intree.ts';
import { serviceDefinitions } from '../../schema/core-service.ts';
import { nodeDefinitions } from '../../schema/core-node.ts';
import { coreOtherDefinitions } from '../../schema/core-other.ts';
import { appsDefinitions } from '../../schema/apps.ts';
import { networkingDefinitions } from '../../schema/networking.ts';
import { discoveryDefinitions } from '../../schema/discovery.ts';
import { coordinationDefinitions } from '../../schema/coordination.ts';
import { goStructs, protoMessages, type GoStruct, type ProtoFieldDesc } from './go-binary.ts';

const outputs: { file: string; exportName: string; what: string; defs: Definition[] }[] = [
  { file: 'fields-meta.ts', exportName: 'metaFields', what: 'meta/v1, autoscaling/v1 Scale and policy/v1 Eviction', defs: [...metaDefinitions, ...subresourceDefinitions] },
  { file: 'fields-pod.ts', exportName: 'podFields', what: 'core/v1 Pod, containers, security contexts and scheduling', defs: [...podDefinitions, ...containerDefinitions, ...securityDefinitions, ...schedulingDefinitions] },
  { file: 'fields-volume.ts', exportName: 'volumeFields', what: 'core/v1 volume sources', defs: [...volumeDefinitions, ...inTreeVolumeDefinitions] },
  { file: 'fields-core.ts', exportName: 'coreFields', what: 'core/v1 Service, Endpoints, Node and the small kinds', defs: [...serviceDefinitions, ...nodeDefinitions, ...coreOtherDefinitions] },
  { file: 'fields-groups.ts', exportName: 'groupFields', what: 'apps/v1, networking.k8s.io/v1, discovery.k8s.io/v1 and coordination.k8s.io/v1', defs: [...appsDefinitions, ...networkingDefinitions, ...discoveryDefinitions, ...coordinationDefinitions] },
];

function findKubectl(): string {
  if (process.argv[2]) return process.argv[2];
  const onPath = realpathSync(execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim());
  // The Cloud SDK's kubectl is a dispatcher beside one binary per minor version.
  const versioned = join(dirname(onPath), 'kubectl.1.32');
  return existsSync(versioned) ? versioned : onPath;
}

/** io.k8s.api.core.v1.Pod → Go struct key and proto message name. */
function goKey(defName: string): { key: string; message: string } {
  const parts = defName.split('.');
  const short = parts.pop() as string;
  const pkg = parts.slice(1).join('/').replace(/^k8s\/api\//, 'k8s.io/api/').replace(/^k8s\/apimachinery\//, 'k8s.io/apimachinery/');
  return { key: `${pkg}.${parts.at(-1)}.${short}`, message: `${pkg.replaceAll('/', '.')}.${short}` };
}

interface Tag { json?: string; omitempty: boolean; inline: boolean; proto?: { number: number; name: string } }

function parseTag(tag: string): Tag {
  const json = /json:"([^"]*)"/.exec(tag)?.[1];
  // protobuf:"bytes,1,opt,name=metadata", also "bytes,1,name=name" and "bytes,1,req" (no name).
  const parts = /protobuf:"([^"]*)"/.exec(tag)?.[1].split(',');
  const number = Number(parts?.[1]);
  const [name, ...opts] = (json ?? '').split(',');
  return {
    json: json === undefined ? undefined : name,
    omitempty: opts.includes('omitempty'),
    inline: opts.includes('inline'),
    proto: parts && number > 0 ? { number, name: parts.find((x) => x.startsWith('name='))?.slice(5) ?? '' } : undefined,
  };
}

type Found = { path: number[]; names: string[]; keepZero: boolean; structs: string[] } | { typeMeta: true } | undefined;

function findProp(structs: Map<string, GoStruct>, key: string, prop: string): Found {
  const s = structs.get(key);
  if (!s) return undefined;
  for (const f of s.fields) {
    const t = parseTag(f.tag);
    if (t.json === prop && t.proto && !t.inline) {
      return { path: [t.proto.number], names: [t.proto.name], keepZero: f.kind === 'ptr' || !t.omitempty, structs: [key] };
    }
  }
  for (const f of s.fields) {
    const t = parseTag(f.tag);
    if (!(t.inline || (f.embedded && !t.json)) || !f.structKey) continue;
    if (f.structKey.endsWith('/meta/v1.v1.TypeMeta')) {
      if (prop === 'apiVersion' || prop === 'kind') return { typeMeta: true };
      continue;
    }
    const inner = findProp(structs, f.structKey, prop);
    if (inner && 'path' in inner && t.proto) {
      return { path: [t.proto.number, ...inner.path], names: [t.proto.name, ...inner.names], keepZero: inner.keepZero, structs: [key, ...inner.structs] };
    }
  }
  return undefined;
}

const SPECIAL: Record<string, string> = {
  'int-or-string': 'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  quantity: 'k8s.io.apimachinery.pkg.api.resource.Quantity',
  time: 'k8s.io.apimachinery.pkg.apis.meta.v1.Time',
  microTime: 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
};
const SCALAR: Record<string, number> = { string: 9, int32: 5, int64: 3, number: 1, boolean: 8, bytes: 12 };

/** Whether a proto field's type can carry the schema's kind; returns why not. */
function compatible(s: Schema, f: ProtoFieldDesc, messages: ReturnType<typeof protoMessages>, repeated = f.label === 3): string | undefined {
  const tn = f.typeName?.replace(/^\./, '');
  if (s.kind === 'array') {
    if (!repeated) return 'schema array, proto not repeated';
    return compatible(s.items, f, messages, false);
  }
  if (s.kind === 'map') {
    const entry = tn ? messages.get(tn) : undefined;
    if (!repeated || !entry?.mapEntry) return 'schema map, proto not a map';
    const value = entry.fields.find((x) => x.number === 2);
    return value ? compatible(s.values, value, messages, false) : 'map entry has no value';
  }
  if (repeated) return `schema ${s.kind}, proto repeated`;
  const want =
    s.kind === 'string' ? 9 : s.kind === 'integer' ? SCALAR[s.format ?? 'int64'] : s.kind === 'number' ? 1 : s.kind === 'boolean' ? 8 : s.kind === 'bytes' ? 12 : 11;
  if (f.type !== want) return `schema ${s.kind}, proto type ${f.type}`;
  if (want !== 11) return undefined;
  const special = s.kind === 'time' && s.micro ? SPECIAL.microTime : SPECIAL[s.kind];
  if (special) return tn === special ? undefined : `schema ${s.kind}, proto ${tn}`;
  if (s.kind === 'ref') return tn === goKey(s.ref).message ? undefined : `schema ref ${s.ref}, proto ${tn}`;
  if (s.kind === 'any') return ['k8s.io.apimachinery.pkg.runtime.RawExtension', 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1'].includes(tn ?? '') ? undefined : `schema any, proto ${tn}`;
  return `schema ${s.kind} has no proto form`;
}

function render(spec: string, props: [string, string][]): string {
  const one = `  '${spec}': { ${props.map(([p, v]) => `${p}: ${v}`).join(', ')} },`;
  if (one.length <= 140) return one;
  return [`  '${spec}': {`, ...props.map(([p, v]) => `    ${p}: ${v},`), '  },'].join('\n');
}

function main(): void {
  const bin = findKubectl();
  const structs = goStructs(bin);
  const messages = protoMessages(bin);
  const problems: string[] = [];
  const files: [string, string][] = [];
  for (const out of outputs) {
    const lines: string[] = [];
    for (const def of out.defs) {
      const { key, message } = goKey(def.name);
      if (!structs.has(key)) {
        problems.push(`${def.name}: no Go struct ${key}`);
        continue;
      }
      const props: [string, string][] = [];
      for (const [prop, schema] of Object.entries(def.schema.properties)) {
        const found = findProp(structs, key, prop);
        if (!found) {
          problems.push(`${def.name}.${prop}: no protobuf field`);
          continue;
        }
        if ('typeMeta' in found) {
          props.push([prop, 'TYPE_META']);
          continue;
        }
        // Check each step of the path against the descriptors.
        let msg = message;
        let last: ProtoFieldDesc | undefined;
        for (const [i, n] of found.path.entries()) {
          last = messages.get(msg)?.fields.find((x) => x.number === n);
          if (!last || (found.names[i] !== '' && last.name !== found.names[i])) {
            problems.push(`${def.name}.${prop}: ${msg} has no field ${n} ${found.names[i]}`);
            break;
          }
          msg = last.typeName?.replace(/^\./, '') ?? '';
        }
        const why = last ? compatible(schema, last, messages) : 'no field';
        if (why) problems.push(`${def.name}.${prop}: ${why}`);
        const scalar = ['string', 'integer', 'number', 'boolean', 'bytes'].includes(schema.kind);
        const keep = scalar && found.keepZero;
        const v =
          found.path.length === 1 ? (keep ? `k(${found.path[0]})` : String(found.path[0])) : `${keep ? 'viaK' : 'via'}(${found.path.join(', ')})`;
        props.push([/^[A-Za-z_$][\w$]*$/.test(prop) ? prop : `'${prop}'`, v]);
      }
      lines.push(render(def.name, props));
    }
    const helpers = ['k', 'via', 'viaK', 'TYPE_META'].filter((h) => lines.some((l) => new RegExp(`\\b${h}\\b`).test(l)));
    files.push([
      out.file,
      [
        `/**`,
        ` * @module Protobuf field numbers of ${out.what}. Written by tools/gen-fields.ts`,
        ` * from the schemas and the tags of the Go structs in kubectl v1.32 (see README.md);`,
        ` * regenerate rather than edit.`,
        ` */`,
        '',
        `import type { FieldTable } from './field-spec.ts';`,
        `import { ${helpers.join(', ')} } from './field-spec.ts';`,
        '',
        `export const ${out.exportName}: FieldTable = {`,
        ...lines,
        '};',
        '',
      ].join('\n'),
    ]);
  }
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  for (const [file, text] of files) writeFileSync(join(import.meta.dirname, '..', file), text);
  console.log(`gen-fields: wrote ${files.map(([f]) => f).join(' ')} from ${bin}`);
}

main();

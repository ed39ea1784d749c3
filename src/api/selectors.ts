/**
 * @module Label and field selectors: the string syntax of
 * k8s.io/apimachinery/pkg/labels and pkg/fields, metav1.LabelSelector, and
 * the field set each resource supports in field selectors.
 */
import type { KubeObject } from './meta.ts';

export type Op = 'in' | 'notin' | 'exists' | '!' | '=' | '!=';

export interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

export class SelectorError extends Error {
  readonly code = 'SELECTOR';
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

const keyRe = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses. */
function clauses(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((c) => c.trim()).filter((c) => c !== '');
}

export function parseLabelSelector(s: string): Requirement[] {
  const reqs: Requirement[] = [];
  for (const c of clauses(s)) {
    let m: RegExpMatchArray | null;
    if ((m = c.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      reqs.push({ key: m[1], op: m[2] as Op, values: m[3].split(',').map((v) => v.trim()).filter((v) => v !== '') });
    } else if ((m = c.match(/^(\S+?)\s*(==|!=|=)\s*(\S*)$/))) {
      reqs.push({ key: m[1], op: m[2] === '!=' ? '!=' : '=', values: [m[3]] });
    } else if ((m = c.match(/^!\s*(\S+)$/))) {
      reqs.push({ key: m[1], op: '!', values: [] });
    } else if ((m = c.match(/^(\S+)$/))) {
      reqs.push({ key: m[1], op: 'exists', values: [] });
    } else {
      throw new SelectorError(`unable to parse requirement: found '${c}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    const key = reqs[reqs.length - 1].key;
    if (!keyRe.test(key) || key.length > 317) throw new SelectorError(`unable to parse requirement: invalid label key "${key}"`);
  }
  return reqs;
}

export function matchLabels(reqs: Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case '=':
      case 'in':
        return has && r.values.includes(l[r.key]);
      case '!=':
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      case 'exists':
        return has;
      case '!':
        return !has;
    }
    return false;
  });
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** metav1.LabelSelectorAsSelector. An empty selector matches everything; a null one nothing (callers decide). */
export function labelSelectorRequirements(sel: LabelSelector): Requirement[] {
  const reqs: Requirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, op: '=' as const, values: [v] }));
  for (const e of sel.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as Record<string, Op>)[e.operator];
    if (!op) throw new SelectorError(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return reqs;
}

export function matchLabelSelector(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  return matchLabels(labelSelectorRequirements(sel), labels);
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export function parseFieldSelector(s: string): FieldRequirement[] {
  return clauses(s).map((c) => {
    const m = c.match(/^([^=!]+?)\s*(==|!=|=)\s*(.*)$/);
    if (!m) throw new SelectorError(`invalid selector: '${c}'; can't understand '${c}'`);
    return { field: m[1].trim(), op: m[2] === '!=' ? '!=' : '=', value: m[3].trim() };
  });
}

const get = (o: any, path: string): string => {
  let v = o;
  for (const p of path.split('.')) v = v?.[p];
  return v === undefined || v === null ? '' : String(v);
};

/** Field labels per kind, as upstream's GetAttrs/AddFieldLabelConversionFunc register them. */
const fieldsByKind: Record<string, string[]> = {
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  Event: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
  ReplicationController: ['status.replicas'],
  ReplicaSet: ['status.replicas'],
  Service: ['spec.clusterIP', 'spec.type'],
};

export function checkFieldSelector(kind: string, reqs: FieldRequirement[]): void {
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(fieldsByKind[kind] ?? [])]);
  for (const r of reqs) if (!allowed.has(r.field)) throw new SelectorError(`field label not supported: ${r.field}`);
}

export function fieldValue(obj: KubeObject, field: string): string {
  if (field === 'spec.hostNetwork') return String(obj.spec?.hostNetwork ?? false);
  if (field === 'spec.unschedulable') return String(obj.spec?.unschedulable ?? false);
  if (field === 'source') return obj.source?.component ?? obj.reportingComponent ?? '';
  return get(obj, field);
}

export function matchFields(reqs: FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='));
}

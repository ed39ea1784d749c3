/**
 * @module Node and Event printers: printers.go printNode (status,
 * findNodeRoles, addresses) and printEvent (times, count, object, source).
 */
import type { KubeObject } from '../meta.ts';
import { ageColumn, col, nameColumn } from './columns.ts';
import { fieldDocs, literalDocs } from './descriptions.ts';
import { arr, int, parseTime, rec, sortedUnique, str, translateTimestampSince } from './format.ts';
import type { PrintedRow, Printer } from './types.ts';

const labelNodeRolePrefix = 'node-role.kubernetes.io/';
const nodeLabelRole = 'kubernetes.io/role';

/** findNodeRoles: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role=<role>` values, sorted. */
export function nodeRoles(labels: Record<string, string> | null | undefined): string[] {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(rec(labels))) {
    if (k.startsWith(labelNodeRolePrefix)) {
      const role = k.slice(labelNodeRolePrefix.length);
      if (role.length > 0) roles.push(role);
    } else if (k === nodeLabelRole && v !== '') {
      roles.push(v);
    }
  }
  return sortedUnique(roles);
}

/** printNode's STATUS: only the Ready condition counts (the last one of that type wins), then SchedulingDisabled. */
export function nodeStatus(node: KubeObject): string {
  let ready: any;
  for (const c of arr(node.status?.conditions)) if (c?.type === 'Ready') ready = c;
  const status: string[] = [];
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

/** getNodeInternalIP / getNodeExternalIP: the first address of the type, or `<none>`. */
function nodeAddress(node: KubeObject, type: string): string {
  const a = arr(node.status?.addresses).find((x: any) => x?.type === type);
  return a ? str(a.address) : '<none>';
}

export function printNode(node: KubeObject, now: Date): PrintedRow {
  const info = rec(node.status?.nodeInfo);
  return {
    cells: [
      str(node.metadata?.name),
      nodeStatus(node),
      nodeRoles(node.metadata?.labels).join(',') || '<none>',
      translateTimestampSince(node.metadata?.creationTimestamp, now),
      str(info.kubeletVersion),
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ],
  };
}

export const nodePrinter: Printer = {
  columns: [
    nameColumn(),
    col('Status', 'string', literalDocs.nodeStatus),
    col('Roles', 'string', literalDocs.nodeRoles),
    ageColumn(),
    col('Version', 'string', fieldDocs.kubeletVersion),
    col('Internal-IP', 'string', fieldDocs.nodeAddresses, { priority: 1 }),
    col('External-IP', 'string', fieldDocs.nodeAddresses, { priority: 1 }),
    col('OS-Image', 'string', fieldDocs.osImage, { priority: 1 }),
    col('Kernel-Version', 'string', fieldDocs.kernelVersion, { priority: 1 }),
    col('Container-Runtime', 'string', fieldDocs.containerRuntimeVersion, { priority: 1 }),
  ],
  print: printNode,
};

/**
 * formatEventSource: source.component (else reportingComponent), then
 * `, host` (else reportingInstance) when there is one.
 */
export function formatEventSource(ev: KubeObject): string {
  const component = str(ev.source?.component) || str(ev.reportingComponent);
  const instance = str(ev.source?.host) || str(ev.reportingInstance);
  return instance === '' ? component : `${component}, ${instance}`;
}

export function printEvent(ev: KubeObject, now: Date): PrintedRow {
  // Events from the events.k8s.io API carry eventTime and series instead of the old timestamps.
  const firstSeen =
    parseTime(ev.firstTimestamp) === undefined
      ? translateTimestampSince(ev.eventTime, now)
      : translateTimestampSince(ev.firstTimestamp, now);
  let lastSeen = parseTime(ev.lastTimestamp) === undefined ? firstSeen : translateTimestampSince(ev.lastTimestamp, now);
  let count = int(ev.count);
  if (ev.series) {
    lastSeen = translateTimestampSince(ev.series.lastObservedTime, now);
    count = int(ev.series.count);
  } else if (count === 0) {
    // Singleton events don't have a count set in the new API.
    count = 1;
  }
  const kind = str(ev.involvedObject?.kind).toLowerCase();
  const name = str(ev.involvedObject?.name);
  return {
    cells: [
      lastSeen,
      str(ev.type),
      str(ev.reason),
      name.length > 0 ? `${kind}/${name}` : kind,
      str(ev.involvedObject?.fieldPath),
      formatEventSource(ev),
      str(ev.message).trim(),
      firstSeen,
      count,
      str(ev.metadata?.name),
    ],
  };
}

/** No Age column: Last Seen stands in for it, and Name is wide-only. */
export const eventPrinter: Printer = {
  columns: [
    col('Last Seen', 'string', fieldDocs.eventLastTimestamp),
    col('Type', 'string', fieldDocs.eventType),
    col('Reason', 'string', fieldDocs.eventReason),
    col('Object', 'string', fieldDocs.eventInvolvedObject),
    col('Subobject', 'string', fieldDocs.eventFieldPath, { priority: 1 }),
    col('Source', 'string', fieldDocs.eventSource, { priority: 1 }),
    col('Message', 'string', fieldDocs.eventMessage),
    col('First Seen', 'string', fieldDocs.eventFirstTimestamp, { priority: 1 }),
    col('Count', 'string', fieldDocs.eventCount, { priority: 1 }),
    col('Name', 'string', fieldDocs.name, { priority: 1, format: 'name' }),
  ],
  print: printEvent,
};

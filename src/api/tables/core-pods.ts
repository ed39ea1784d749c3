/**
 * @module The Pod printer: printers.go printPod, the STATUS/READY/RESTARTS
 * rules kubectl users read every day.
 */
import type { KubeObject } from '../meta.ts';
import { ageColumn, col, nameColumn } from './columns.ts';
import { fieldDocs, literalDocs } from './descriptions.ts';
import { arr, humanDuration, int, parseTime, rec, str, translateTimestampSince } from './format.ts';
import type { PrintedRow, Printer, TableRowCondition } from './types.ts';

const podSuccessConditions: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const podFailedConditions: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];

/** k8s.io/kubernetes/pkg/util/node.NodeUnreachablePodReason. */
const nodeUnreachablePodReason = 'NodeLost';

/** podutil.IsRestartableInitContainer: a sidecar (init container with restartPolicy Always). */
function isRestartable(c: any): boolean {
  return c?.restartPolicy === 'Always';
}

/** The later of a running maximum and a container's lastState.terminated.finishedAt (metav1.Time.Before). */
function later(current: number | undefined, container: any): number | undefined {
  const t = parseTime(container?.lastState?.terminated?.finishedAt);
  if (t === undefined) return current;
  return current === undefined || current < t ? t : current;
}

/** hasPodReadyCondition: any Ready condition that is True. */
function hasReadyCondition(status: any): boolean {
  return arr(status?.conditions).some((c: any) => c?.type === 'Ready' && c?.status === 'True');
}

/** isPodInitializedConditionTrue: the first Initialized condition decides. */
function isInitialized(status: any): boolean {
  return arr(status?.conditions).find((c: any) => c?.type === 'Initialized')?.status === 'True';
}

/** Signal/ExitCode wording for a terminated container that gave no reason. */
function exitText(term: any): string {
  return int(term.signal) !== 0 ? `Signal:${int(term.signal)}` : `ExitCode:${int(term.exitCode)}`;
}

export function printPod(pod: KubeObject, now: Date): PrintedRow {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  let restarts = 0;
  let restartableInitContainerRestarts = 0;
  let totalContainers = arr(spec.containers).length;
  let readyContainers = 0;
  let lastRestartDate: number | undefined;
  let lastRestartableInitContainerRestartDate: number | undefined;

  const podPhase = str(status.phase);
  let reason = podPhase;
  if (str(status.reason) !== '') reason = status.reason;

  // A pod carrying {type: PodScheduled, reason: SchedulingGated} reads SchedulingGated.
  for (const c of arr(status.conditions)) {
    if (c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const conditions = podPhase === 'Succeeded' ? podSuccessConditions : podPhase === 'Failed' ? podFailedConditions : undefined;

  const initSpecs: any[] = arr(spec.initContainers);
  const initContainers = new Map<string, any>();
  for (const c of initSpecs) {
    initContainers.set(c?.name, c);
    if (isRestartable(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses: any[] = arr(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const container = rec(initStatuses[i]);
    const restartable = isRestartable(initContainers.get(container.name));
    restarts += int(container.restartCount);
    lastRestartDate = later(lastRestartDate, container);
    if (restartable) {
      restartableInitContainerRestarts += int(container.restartCount);
      lastRestartableInitContainerRestartDate = later(lastRestartableInitContainerRestartDate, container);
    }
    const term = container.state?.terminated;
    const waiting = container.state?.waiting;
    if (term && int(term.exitCode) === 0) continue;
    if (restartable && container.started === true) {
      if (container.ready === true) readyContainers++;
      continue;
    }
    if (term) {
      // initialization failed
      reason = str(term.reason) === '' ? `Init:${exitText(term)}` : `Init:${term.reason}`;
    } else if (waiting && str(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || isInitialized(status)) {
    restarts = restartableInitContainerRestarts;
    lastRestartDate = lastRestartableInitContainerRestartDate;
    let hasRunning = false;
    const statuses: any[] = arr(status.containerStatuses);
    // Walked backwards, so the first container's state wins the STATUS column.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = rec(statuses[i]);
      restarts += int(container.restartCount);
      lastRestartDate = later(lastRestartDate, container);
      const term = container.state?.terminated;
      const waiting = container.state?.waiting;
      if (waiting && str(waiting.reason) !== '') {
        reason = waiting.reason;
      } else if (term && str(term.reason) !== '') {
        reason = term.reason;
      } else if (term) {
        reason = exitText(term);
      } else if (container.ready === true && container.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // Back to Running while at least one container still runs.
    if (reason === 'Completed' && hasRunning) reason = hasReadyCondition(status) ? 'Running' : 'NotReady';
  }

  if (pod.metadata?.deletionTimestamp && status.reason === nodeUnreachablePodReason) {
    reason = 'Unknown';
  } else if (pod.metadata?.deletionTimestamp && podPhase !== 'Failed' && podPhase !== 'Succeeded') {
    reason = 'Terminating';
  }

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestartDate !== undefined) {
    restartsStr = `${restarts} (${humanDuration(now.getTime() - lastRestartDate)} ago)`;
  }

  // v1 -> internal conversion makes status.podIP authoritative over podIPs[0].
  const podIP = str(status.podIP) || str(status.podIPs?.[0]?.ip) || '<none>';
  const nodeName = str(spec.nodeName) || '<none>';
  const nominatedNodeName = str(status.nominatedNodeName) || '<none>';
  let readinessGates = '<none>';
  const gates: any[] = arr(spec.readinessGates);
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const c = arr(status.conditions).find((x: any) => x?.type === gate?.conditionType);
      if (c?.status === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }

  const row: PrintedRow = {
    cells: [
      str(pod.metadata?.name),
      `${readyContainers}/${totalContainers}`,
      reason,
      restartsStr,
      translateTimestampSince(pod.metadata?.creationTimestamp, now),
      podIP,
      nodeName,
      nominatedNodeName,
      readinessGates,
    ],
  };
  if (conditions) row.conditions = conditions;
  return row;
}

export const podPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Ready', 'string', literalDocs.podReady),
    col('Status', 'string', literalDocs.podStatus),
    col('Restarts', 'string', literalDocs.podRestarts),
    ageColumn(),
    col('IP', 'string', fieldDocs.podIP, { priority: 1 }),
    col('Node', 'string', fieldDocs.nodeName, { priority: 1 }),
    col('Nominated Node', 'string', fieldDocs.nominatedNodeName, { priority: 1 }),
    col('Readiness Gates', 'string', fieldDocs.readinessGates, { priority: 1 }),
  ],
  print: printPod,
};

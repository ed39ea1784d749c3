/**
 * @module Workload printers: ReplicationController, ReplicaSet and
 * Deployment, as printers.go's printReplicationController, printReplicaSet
 * and printDeployment.
 */
import type { KubeObject } from '../meta.ts';
import { ageColumn, col, nameColumn, workloadWideColumns } from './columns.ts';
import { fieldDocs, literalDocs } from './descriptions.ts';
import {
  formatLabels,
  formatLabelSelector,
  int,
  labelSelectorString,
  LabelSelectorError,
  layoutContainerCells,
  str,
  translateTimestampSince,
} from './format.ts';
import type { Printer } from './types.ts';

/** spec.replicas; an absent value is what the apiserver's defaulting would have set (1). */
function desiredReplicas(obj: KubeObject): number {
  return obj.spec?.replicas === undefined || obj.spec?.replicas === null ? 1 : int(obj.spec.replicas);
}

export const replicationControllerPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Desired', 'integer', fieldDocs.rcSpecReplicas),
    col('Current', 'integer', fieldDocs.rcStatusReplicas),
    col('Ready', 'integer', fieldDocs.rcStatusReadyReplicas),
    ageColumn(),
    ...workloadWideColumns(fieldDocs.rcSpecSelector),
  ],
  print: (rc, now) => {
    const [names, images] = layoutContainerCells(rc.spec?.template?.spec?.containers);
    return {
      cells: [
        str(rc.metadata?.name),
        desiredReplicas(rc),
        int(rc.status?.replicas),
        int(rc.status?.readyReplicas),
        translateTimestampSince(rc.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabels(rc.spec?.selector),
      ],
    };
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Desired', 'integer', fieldDocs.rsSpecReplicas),
    col('Current', 'integer', fieldDocs.rsStatusReplicas),
    col('Ready', 'integer', fieldDocs.rsStatusReadyReplicas),
    ageColumn(),
    ...workloadWideColumns(fieldDocs.rsSpecSelector),
  ],
  print: (rs, now) => {
    const [names, images] = layoutContainerCells(rs.spec?.template?.spec?.containers);
    return {
      cells: [
        str(rs.metadata?.name),
        desiredReplicas(rs),
        int(rs.status?.replicas),
        int(rs.status?.readyReplicas),
        translateTimestampSince(rs.metadata?.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(rs.spec?.selector),
      ],
    };
  },
};

/** printDeployment's selector cell: LabelSelectorAsSelector(...).String(), `<invalid>` on error. */
function deploymentSelector(sel: any): string {
  try {
    return labelSelectorString(sel);
  } catch (e) {
    if (e instanceof LabelSelectorError) return '<invalid>';
    throw e;
  }
}

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Ready', 'string', literalDocs.deploymentReady),
    col('Up-to-date', 'string', fieldDocs.deploymentUpdatedReplicas),
    col('Available', 'string', fieldDocs.deploymentAvailableReplicas),
    ageColumn(),
    ...workloadWideColumns(fieldDocs.deploymentSelector),
  ],
  print: (d, now) => {
    const [names, images] = layoutContainerCells(d.spec?.template?.spec?.containers);
    return {
      cells: [
        str(d.metadata?.name),
        `${int(d.status?.readyReplicas)}/${desiredReplicas(d)}`,
        // Declared 'string' upstream, but the cells are int64.
        int(d.status?.updatedReplicas),
        int(d.status?.availableReplicas),
        translateTimestampSince(d.metadata?.creationTimestamp, now),
        names,
        images,
        deploymentSelector(d.spec?.selector),
      ],
    };
  },
};

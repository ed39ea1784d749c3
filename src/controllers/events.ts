/**
 * @module An event recorder in the shape of client-go's EventRecorder:
 * core/v1 Events about an object, with repeats of the same reason and
 * message folded into one Event whose count and lastTimestamp move (the
 * correlator's aggregation, simplified).
 */
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../api/meta.ts';
import { nowRfc3339 } from '../api/meta.ts';
import { findKind } from '../api/resources.ts';
import { ClientError, type Client } from '../client/client.ts';

export interface EventRecorder {
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export function newRecorder(opts: { client: Client; component: string; host?: string; log: (l: string) => void }): EventRecorder {
  const def = findKind('', 'Event')!;
  const seen = new Map<string, { name: string; count: number; first: string }>();
  return {
    event(obj, type, reason, message) {
      const ns = obj.metadata.namespace || 'default';
      const key = `${obj.metadata.uid}/${type}/${reason}/${message}`;
      const now = nowRfc3339();
      const prev = seen.get(key);
      const name = prev?.name ?? `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
      const count = (prev?.count ?? 0) + 1;
      const first = prev?.first ?? now;
      seen.set(key, { name, count, first });
      if (seen.size > 4096) seen.delete(seen.keys().next().value!);
      const ev: KubeObject = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ns },
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: obj.metadata.name,
          namespace: obj.metadata.namespace,
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
        },
        reason,
        message,
        type,
        source: { component: opts.component, ...(opts.host ? { host: opts.host } : {}) },
        reportingComponent: opts.component,
        reportingInstance: opts.host ?? '',
        firstTimestamp: first,
        lastTimestamp: now,
        count,
      };
      // Events are best effort, as upstream's recorder: a failure is logged, never raised.
      const write = prev
        ? opts.client.patch(def, ns, name, { count, lastTimestamp: now, message }, 'application/merge-patch+json')
        : opts.client.create(def, ev);
      write.catch((e: unknown) => {
        if (prev && e instanceof ClientError && e.code === 404) {
          opts.client.create(def, ev).catch(() => undefined);
          return;
        }
        opts.log(`events: ${reason} for ${obj.kind}/${obj.metadata.name}: ${(e as Error).message}`);
      });
    },
  };
}

/** What every controller in the controller manager receives. */
export interface ControllerContext {
  client: Client;
  recorder: (component: string) => EventRecorder;
  log: (line: string) => void;
  /** --node-monitor-grace-period, in milliseconds (the node lifecycle controller's only knob). */
  nodeMonitorGracePeriodMs?: number;
  /** --lb-pool: addresses for LoadBalancer Services (the service-lb controller); empty or absent: node addresses. */
  lbPool?: string;
}

export interface Controller {
  start(signal: AbortSignal): void;
  ready(): boolean;
}

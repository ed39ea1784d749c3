/**
 * @module The controller manager: every controller that runs inside
 * `nanokube server`, each a client of the API. Add a controller by adding
 * one line to `factories`.
 */
import { newDeploymentController } from './deployment.ts';
import { EndpointsController } from './endpoints.ts';
import { EndpointSliceController } from './endpointslice.ts';
import { EndpointSliceMirroringController } from './endpointslice-mirroring.ts';
import type { Controller, ControllerContext } from './events.ts';
import { GarbageCollector } from './gc.ts';
import { NamespaceController } from './namespace.ts';
import { NodeLifecycleController } from './node-lifecycle.ts';
import { newReplicaSetController, newReplicationController } from './replicaset.ts';
import { Scheduler } from './scheduler.ts';
import { ServiceAccountController } from './serviceaccount.ts';
import { ServiceLBController } from './service-lb.ts';

type Factory = { name: string; make: (ctx: ControllerContext) => Controller };

const factories: Factory[] = [
  { name: 'endpoint', make: (ctx) => new EndpointsController({ client: ctx.client, log: ctx.log, recorder: ctx.recorder('endpoint-controller') }) },
  { name: 'endpointslice', make: (ctx) => new EndpointSliceController({ client: ctx.client, log: ctx.log, recorder: ctx.recorder('endpoint-slice-controller') }) },
  { name: 'endpointslicemirroring', make: (ctx) => new EndpointSliceMirroringController({ client: ctx.client, log: ctx.log, recorder: ctx.recorder('endpoint-slice-mirroring-controller') }) },
  { name: 'garbagecollector', make: (ctx) => new GarbageCollector({ client: ctx.client, log: ctx.log, recorder: ctx.recorder('garbage-collector-controller') }) },
  { name: 'deployment', make: newDeploymentController },
  { name: 'namespace', make: (ctx) => new NamespaceController({ client: ctx.client, log: ctx.log }) },
  { name: 'nodelifecycle', make: (ctx) => new NodeLifecycleController({ client: ctx.client, log: ctx.log, recorder: ctx.recorder, gracePeriodMs: ctx.nodeMonitorGracePeriodMs }) },
  { name: 'replicaset', make: newReplicaSetController },
  { name: 'replicationcontroller', make: newReplicationController },
  { name: 'scheduler', make: (ctx) => new Scheduler({ client: ctx.client, log: ctx.log, recorder: ctx.recorder('default-scheduler') }) },
  { name: 'servicelb', make: (ctx) => new ServiceLBController({ client: ctx.client, log: ctx.log, recorder: ctx.recorder('service-lb-controller'), pool: ctx.lbPool }) },
  { name: 'serviceaccount', make: (ctx) => new ServiceAccountController({ client: ctx.client, log: ctx.log }) },
];

export function startControllers(ctx: ControllerContext, signal: AbortSignal, disabled: string[] = []): Controller[] {
  const running = factories.filter((f) => !disabled.includes(f.name)).map((f) => f.make(ctx));
  for (const c of running) c.start(signal);
  return running;
}

/**
 * @module The controller manager: every controller that runs inside
 * `nanokube server`, each a client of the API. Add a controller by adding
 * one line to `factories`.
 */
import type { Controller, ControllerContext } from './events.ts';
import { NamespaceController } from './namespace.ts';
import { ServiceAccountController } from './serviceaccount.ts';

type Factory = { name: string; make: (ctx: ControllerContext) => Controller };

const factories: Factory[] = [
  { name: 'namespace', make: (ctx) => new NamespaceController({ client: ctx.client, log: ctx.log }) },
  { name: 'serviceaccount', make: (ctx) => new ServiceAccountController({ client: ctx.client, log: ctx.log }) },
];

export function startControllers(ctx: ControllerContext, signal: AbortSignal, disabled: string[] = []): Controller[] {
  const running = factories.filter((f) => !disabled.includes(f.name)).map((f) => f.make(ctx));
  for (const c of running) c.start(signal);
  return running;
}

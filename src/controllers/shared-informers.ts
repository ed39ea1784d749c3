/**
 * @module One informer per client and resource for the controllers of this
 * folder that watch the same kinds (the endpoints, EndpointSlice and
 * mirroring controllers and the garbage collector), in the way of
 * client-go's SharedInformerFactory: every pod or Endpoints change is then
 * sent, decoded and cached once for all of them instead of once each, which
 * is most of the work behind a readiness change.
 */
import type { ResourceDef } from '../api/resources.ts';
import type { Client } from '../client/client.ts';
import { Informer, type Handler } from '../client/informer.ts';

interface Shared {
  informer: Informer;
  started: boolean;
}

const registry = new WeakMap<Client, Map<string, Shared>>();

function shared(client: Client, def: ResourceDef): Shared {
  let byKind = registry.get(client);
  if (!byKind) registry.set(client, (byKind = new Map()));
  const key = `${def.group}/${def.kind}`;
  let s = byKind.get(key);
  if (!s) byKind.set(key, (s = { informer: new Informer({ client, def }), started: false }));
  return s;
}

/**
 * The shared informer of a kind, with `handler` subscribed. A subscriber
 * that comes after the first list still sees every cached object as ADDED.
 */
export function sharedInformer(client: Client, def: ResourceDef, handler?: Handler): Informer {
  const s = shared(client, def);
  if (handler) {
    s.informer.on(handler);
    if (s.informer.ready()) for (const o of s.informer.list()) handler('ADDED', o);
  }
  return s.informer;
}

/** Starts the shared informer once; later calls only wait with the rest. */
export function startShared(client: Client, def: ResourceDef, signal: AbortSignal): Promise<void> {
  const s = shared(client, def);
  if (!s.started) {
    s.started = true;
    void s.informer.start(signal);
  }
  return s.informer.waitSynced();
}

/**
 * @module The userspace proxy's data path, run as one long-lived child per
 * node inside the node's network namespace (`ip netns exec <node> node
 * relay-child.ts`; no prefix in host mode and in tests): the agent lives in
 * the host's namespace and Node cannot setns. Commands are JSON lines on
 * stdin, `{ id, table: RelaySpec[] }`, applied one after the other; each gets
 * one answer line `{ id, ok, listeners, errors, metrics }` on stdout. The
 * child exits when stdin closes (the agent is gone), so it never outlives
 * its agent.
 */
import { createInterface } from 'node:readline';
import { RelaySet, type RelayBindError } from './relays.ts';
import type { RelaySpec } from './table.ts';

interface Command {
  id: number;
  table: RelaySpec[];
}

const relays = new RelaySet();
let queue = Promise.resolve();

const answer = (reply: object): void => {
  process.stdout.write(JSON.stringify(reply) + '\n');
};

process.stdout.on('error', () => process.exit(0));
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let cmd: Command;
  try {
    cmd = JSON.parse(line) as Command;
  } catch {
    return;
  }
  queue = queue
    .then(async () => {
      if (!Array.isArray(cmd?.table)) {
        const errors: RelayBindError[] = [{ listener: '', service: '', code: 'INVALID', message: 'command without a table' }];
        answer({ id: cmd?.id, ok: false, listeners: 0, errors, metrics: relays.metrics() });
        return;
      }
      const r = await relays.apply(cmd.table);
      answer({ id: cmd.id, ok: true, listeners: r.listeners, errors: r.errors, metrics: relays.metrics() });
    })
    .catch((err: unknown) => {
      // A bug of ours, not the network's: say so and keep serving the listeners already open.
      const errors: RelayBindError[] = [{ listener: '', service: '', code: 'INTERNAL', message: String((err as Error)?.stack ?? err) }];
      answer({ id: cmd?.id, ok: false, listeners: 0, errors, metrics: relays.metrics() });
    });
});
lines.on('close', () => {
  relays.close();
  process.exit(0);
});

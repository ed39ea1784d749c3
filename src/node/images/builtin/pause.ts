/**
 * @module registry.k8s.io/pause (build/pause/linux/pause.c): waits for a
 * signal; on SIGINT or SIGTERM says so on stderr and exits 0.
 */
import { blockForever } from './common.ts';

for (const [sig, name] of [['SIGINT', 'Interrupt'], ['SIGTERM', 'Terminated']] as const) {
  process.once(sig, () => {
    process.stderr.write(`Shutting down, got signal: ${name}\n`);
    process.exit(0);
  });
}
blockForever();

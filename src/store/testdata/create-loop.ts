/**
 * @module Child process for the kill -9 test in sqlite.test.ts: creates /kill/<i> in a loop
 * and prints each key only after its create resolved, until it is killed.
 * Usage: node create-loop.ts DB_PATH full|normal
 */
import { SqliteStore } from '../sqlite.ts';

const store = new SqliteStore({ path: process.argv[2], synchronous: process.argv[3] === 'normal' ? 'normal' : 'full' });
// Stdout to a pipe is written synchronously on Linux, so a printed key has left this process
// before the next create starts.
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const key = `/kill/${i}`;
  await store.create(key, `value-${i}`);
  process.stdout.write(`${key}\n`);
}

/**
 * @module Regenerates the test vectors: runs each case's `kubectl create`
 * against the stub server, saves the protobuf body kubectl POSTs as
 * NAME.pb, and what `--dry-run=client -o json` prints for the same command
 * as NAME.json, the object the body must decode to.
 *
 *   node src/api/proto/testdata/capture.ts
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cases, writeInputs } from './cases.ts';
import { startStub } from './stub-server.ts';

async function main(): Promise<void> {
  const stub = await startStub();
  try {
    writeInputs(stub.dir);
    const index: { name: string; command: string; path: string; contentType: string }[] = [];
    for (const c of cases) {
      const expected = await stub.kubectl('create', ...c.args, '--dry-run=client', '-o', 'json');
      const before = stub.captured.length;
      await stub.kubectl('create', ...c.args);
      const posts = stub.captured.slice(before);
      if (posts.length !== 1) throw new Error(`${c.name}: kubectl sent ${posts.length} bodies, want 1`);
      const [post] = posts;
      writeFileSync(join(import.meta.dirname, `${c.name}.pb`), post.body);
      writeFileSync(join(import.meta.dirname, `${c.name}.json`), `${JSON.stringify(JSON.parse(expected), null, 2)}\n`);
      index.push({ name: c.name, command: `kubectl create ${c.args.join(' ')}`, path: post.path, contentType: post.contentType });
      console.log(`capture: ${c.name} ${post.path} ${post.contentType} ${post.body.length} bytes`);
    }
    writeFileSync(join(import.meta.dirname, 'cases.json'), `${JSON.stringify(index, null, 2)}\n`);
  } finally {
    await stub.close();
  }
}

await main();

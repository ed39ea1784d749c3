// The real kubectl against the stub server (testdata/stub-server.ts):
// whatever this kubectl sends today must decode to what it prints with
// --dry-run=client -o json, so a kubectl upgrade that changes the bodies
// fails here before the recorded vectors go stale.
// Address plan: stub on 127.0.0.1, ephemeral port, plain HTTP.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { decodeK8sProtobuf, PROTOBUF_MEDIA_TYPE } from './decode.ts';
import { cases, writeInputs } from './testdata/cases.ts';
import { KUBECTL, startStub, type Stub } from './testdata/stub-server.ts';

describe('live kubectl create bodies', { skip: !existsSync(KUBECTL) && 'no kubectl' }, () => {
  let stub: Stub;
  before(async () => {
    stub = await startStub();
    writeInputs(stub.dir);
  });
  after(() => stub?.close());

  for (const c of cases) {
    it(`kubectl create ${c.args.join(' ')}`, async () => {
      const want = JSON.parse(await stub.kubectl('create', ...c.args, '--dry-run=client', '-o', 'json')) as unknown;
      const before = stub.captured.length;
      const printed = await stub.kubectl('create', ...c.args);
      const posts = stub.captured.slice(before);
      assert.equal(posts.length, 1);
      assert.equal(posts[0].contentType, PROTOBUF_MEDIA_TYPE);
      assert.deepEqual(decodeK8sProtobuf(posts[0].body).object, want);
      // kubectl read our 201 reply, the decoded object, and named it.
      assert.match(printed, / created\n$/);
    });
  }
});

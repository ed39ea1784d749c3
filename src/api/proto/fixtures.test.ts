// The recorded vectors: protobuf bodies the real kubectl v1.32 POSTed for
// `kubectl create ...` (testdata/capture.ts), each against what
// `--dry-run=client -o json` printed for the same command. Equal down to
// key order, so the stored JSON reads as if kubectl had sent JSON.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeK8sProtobuf, PROTOBUF_MEDIA_TYPE } from './decode.ts';

const dir = join(import.meta.dirname, 'testdata');
const index = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as { name: string; command: string; path: string; contentType: string }[];

describe('kubectl create bodies decode to what kubectl prints', () => {
  it('cover the kinds kubectl create makes', () => {
    assert.ok(index.length >= 11);
    for (const c of index) assert.equal(c.contentType, PROTOBUF_MEDIA_TYPE, c.name);
  });

  for (const c of index) {
    it(c.command, () => {
      const got = decodeK8sProtobuf(readFileSync(join(dir, `${c.name}.pb`)));
      const want = JSON.parse(readFileSync(join(dir, `${c.name}.json`), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(got.object, want);
      assert.equal(JSON.stringify(got.object), JSON.stringify(want), 'same key order');
      assert.equal(got.apiVersion, want.apiVersion);
      assert.equal(got.kind, want.kind);
    });
  }

  it('a zero replica count and a binary file survive', () => {
    const d = decodeK8sProtobuf(readFileSync(join(dir, 'deployment.pb'))).object as { spec: { replicas: number } };
    assert.equal(d.spec.replicas, 0);
    const cm = decodeK8sProtobuf(readFileSync(join(dir, 'configmap.pb'))).object as { binaryData: Record<string, string>; data: Record<string, string> };
    assert.deepEqual(Buffer.from(cm.binaryData['blob.bin'], 'base64'), Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0x0a]));
    assert.equal(cm.data.empty, '');
  });
});

// Hand-made bodies for each encoding rule and each error code. Field
// numbers are upstream's (see fields-*.ts); times are Unix seconds
// 1700000000 = 2023-11-14T22:13:20Z.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeK8sProtobuf, hasProtobufMagic } from './decode.ts';
import { ProtoError, type ProtoErrorCode } from './errors.ts';
import { body, encode, MAGIC, type Msg } from './testdata/encode.ts';

const T = 1700000000;
const meta = (name: string, more: Msg = []): Msg => [[1, name], [8, []], ...more];

function rejects(b: Uint8Array, code: ProtoErrorCode, message?: RegExp): void {
  assert.throws(
    () => decodeK8sProtobuf(b),
    (e: unknown) => {
      assert.ok(e instanceof ProtoError, `not a ProtoError: ${String(e)}`);
      assert.equal(e.code, code, e.message);
      if (message) assert.match(e.message, message);
      return true;
    },
  );
}

describe('decodeK8sProtobuf: the envelope', () => {
  it('reads the GVK from runtime.Unknown and puts kind and apiVersion first', () => {
    const d = decodeK8sProtobuf(body('v1', 'Namespace', [[1, meta('x')]]));
    assert.equal(d.apiVersion, 'v1');
    assert.equal(d.kind, 'Namespace');
    assert.deepEqual(Object.keys(d.object), ['kind', 'apiVersion', 'metadata']);
    assert.deepEqual(d.object.metadata, { name: 'x', creationTimestamp: null });
  });

  it('refuses a body without the magic', () => {
    rejects(new Uint8Array(0), 'BAD_MAGIC');
    rejects(Buffer.from('{"kind":"Namespace"}'), 'BAD_MAGIC', /k8s\\x00/);
    rejects(body('v1', 'Namespace', []).subarray(1), 'BAD_MAGIC');
    assert.equal(hasProtobufMagic(MAGIC), true);
  });

  it('refuses kinds that are not served and a missing typeMeta', () => {
    rejects(body('v1', 'Widget', []), 'UNKNOWN_KIND', /no kind "Widget" is registered for version "v1"/);
    rejects(body('apps/v2', 'Deployment', []), 'UNKNOWN_KIND');
    rejects(Buffer.concat([MAGIC, encode([[2, new Uint8Array(0)]])]), 'UNKNOWN_KIND', /typeMeta/);
  });

  it('refuses a contentEncoding or a foreign contentType, accepts the protobuf one', () => {
    rejects(body('v1', 'Namespace', [], [[3, 'gzip']]), 'UNSUPPORTED_CONTENT', /gzip/);
    rejects(body('v1', 'Namespace', [], [[4, 'application/json']]), 'UNSUPPORTED_CONTENT');
    assert.equal(decodeK8sProtobuf(body('v1', 'Namespace', [], [[4, 'application/vnd.kubernetes.protobuf']])).kind, 'Namespace');
  });

  it('skips unknown fields of any wire type, as proto2 does', () => {
    const raw: Msg = [[99, 7], [98, { fixed32: 1 }], [97, { double: 1.5 }], [96, { group: [[1, 5]] }], [1, meta('x')], [95, 'later']];
    assert.deepEqual(decodeK8sProtobuf(body('v1', 'Namespace', raw, [[50, 'x']])).object, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'x', creationTimestamp: null } });
  });
});

describe('decodeK8sProtobuf: values', () => {
  it('times: empty message is null, Time has seconds, MicroTime microseconds', () => {
    const pod = decodeK8sProtobuf(body('v1', 'Pod', [[1, [[1, 'p'], [8, []], [9, [[1, T], [2, 999_999_999]]], [10, 0]]]])).object;
    assert.deepEqual(pod.metadata, { name: 'p', creationTimestamp: null, deletionTimestamp: '2023-11-14T22:13:20Z', deletionGracePeriodSeconds: 0 });
    const ev = decodeK8sProtobuf(body('v1', 'Event', [[1, meta('e')], [10, [[1, T], [2, 123_456_789]]], [11, [[1, 2], [2, [[1, 0]]]]]])).object;
    assert.equal(ev.eventTime, '2023-11-14T22:13:20.123456Z');
    assert.deepEqual(ev.series, { count: 2, lastObservedTime: '1970-01-01T00:00:00.000000Z' });
  });

  it('refuses a time Go cannot write as JSON', () => {
    rejects(body('v1', 'Pod', [[1, [[9, [[1, 253402300800]]]]]]), 'BAD_VALUE', /years 0-9999/);
    rejects(body('v1', 'Pod', [[1, [[9, [[1, -62167219201]]]]]]), 'BAD_VALUE');
  });

  it('pointer scalars keep zero values, omitempty ones drop them', () => {
    const spec: Msg = [[1, 0], [5, 0], [6, 0], [7, false], [9, 600]];
    const d = decodeK8sProtobuf(body('apps/v1', 'Deployment', [[2, spec]])).object;
    assert.deepEqual(d.spec, { replicas: 0, revisionHistoryLimit: 0, progressDeadlineSeconds: 600 });
  });

  it('IntOrString is a number or a string; an impossible type is refused', () => {
    const ru: Msg = [[1, [[1, 0], [2, 0]]], [2, [[1, 1], [3, '25%']]]];
    const d = decodeK8sProtobuf(body('apps/v1', 'Deployment', [[2, [[4, [[1, 'RollingUpdate'], [2, ru]]]]]])).object;
    assert.deepEqual(d.spec, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } } });
    const svc = decodeK8sProtobuf(body('v1', 'Service', [[2, [[1, [[1, 'web'], [3, 80], [4, [[1, 1], [3, 'http']]]]]]]])).object;
    assert.deepEqual(svc.spec, { ports: [{ name: 'web', port: 80, targetPort: 'http' }] });
    rejects(body('v1', 'Service', [[2, [[1, [[4, [[1, 2]]]]]]]]), 'BAD_VALUE', /impossible IntOrString.Type 2/);
  });

  it('maps of quantities, bytes and strings; a missing entry value is the zero value', () => {
    const q = decodeK8sProtobuf(body('v1', 'ResourceQuota', [[2, [[1, [[1, 'pods'], [2, [[1, '3']]]]], [1, [[1, 'cpu'], [2, []]]], [1, [[1, 'mem']]]]]])).object;
    assert.deepEqual(q.spec, { hard: { pods: '3', cpu: '0', mem: '0' } });
    const s = decodeK8sProtobuf(body('v1', 'Secret', [[2, [[1, 'k'], [2, Buffer.from('v\x00\xff', 'latin1')]]], [2, [[1, 'e']]], [3, ''], [5, false]])).object;
    assert.deepEqual(s, { kind: 'Secret', apiVersion: 'v1', immutable: false, data: { k: 'dgD/', e: '' } });
  });

  it('lists of int64, packed or not, negative values, and a list sent in pieces', () => {
    const sc: Msg = [[2, -1], [4, { packed: [1, 2 ** 40] }], [4, 3], [5, 0]];
    const d = decodeK8sProtobuf(body('v1', 'Pod', [[2, [[14, sc], [2, [[1, 'a']]], [2, [[1, 'b']]]]]])).object;
    assert.deepEqual(d.spec, { containers: [{ name: 'a' }, { name: 'b' }], securityContext: { runAsUser: -1, supplementalGroups: [1, 2 ** 40, 3], fsGroup: 0 } });
  });

  it('inlined Go structs: Volume.volumeSource, LocalObjectReference, ProbeHandler', () => {
    const vol: Msg = [[1, 'cfg'], [2, [[19, [[1, [[1, 'app-config']]], [3, 0]]]]]];
    const probe: Msg = [[1, [[1, [[1, 'true']]]]], [2, 5]];
    const env: Msg = [[1, 'X'], [3, [[3, [[1, [[1, 'cm']]], [2, 'key']]]]]];
    const d = decodeK8sProtobuf(body('v1', 'Pod', [[2, [[1, vol], [2, [[1, 'c'], [10, probe], [7, env]]]]]])).object;
    assert.deepEqual(d.spec, {
      volumes: [{ name: 'cfg', configMap: { name: 'app-config', defaultMode: 0 } }],
      containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'key' } } }], livenessProbe: { exec: { command: ['true'] }, initialDelaySeconds: 5 } }],
    });
  });

  it('owner references and managedFields: FieldsV1 and RawExtension raw JSON is parsed', () => {
    const owner: Msg = [[5, 'apps/v1'], [1, 'ReplicaSet'], [3, 'rs'], [4, 'u1'], [6, true], [7, false]];
    const mf: Msg = [[1, 'kubectl'], [2, 'Update'], [3, 'v1'], [4, [[1, T]]], [6, 'FieldsV1'], [7, [[1, '{"f:metadata":{}}']]]];
    const d = decodeK8sProtobuf(body('v1', 'Pod', [[1, [[1, 'p'], [13, owner], [14, 'a/b'], [17, mf]]]])).object;
    assert.deepEqual(d.metadata, {
      name: 'p',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true, blockOwnerDeletion: false }],
      finalizers: ['a/b'],
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', time: '2023-11-14T22:13:20Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': {} } }],
    });
    rejects(body('v1', 'Pod', [[1, [[17, [[7, [[1, 'not json']]]]]]]]), 'BAD_VALUE', /neither JSON nor protobuf/);
  });

  it('a RawExtension holding a protobuf object decodes it, to a bounded depth', () => {
    const inner = body('v1', 'Namespace', [[1, meta('x')]]);
    const d = decodeK8sProtobuf(body('v1', 'WatchEvent', [[1, 'ADDED'], [2, [[1, inner]]]])).object;
    assert.deepEqual(d.object, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'x', creationTimestamp: null } });
    let deep = inner;
    for (let i = 0; i < 80; i++) deep = body('v1', 'WatchEvent', [[2, [[1, deep]]]]);
    rejects(deep, 'TOO_DEEP');
  });

  it('a map key "__proto__" is an own property, as JSON.parse makes it', () => {
    const d = decodeK8sProtobuf(body('v1', 'ConfigMap', [[2, [[1, '__proto__'], [2, 'x']]], [2, [[1, 'a'], [2, 'b']]]])).object;
    assert.deepEqual(d, JSON.parse('{"kind":"ConfigMap","apiVersion":"v1","data":{"__proto__":"x","a":"b"}}'));
    assert.equal(Object.getPrototypeOf(d.data), Object.prototype);
  });

  it('strings: invalid UTF-8 becomes U+FFFD, a BOM stays', () => {
    const name = Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0xff]);
    const d = decodeK8sProtobuf(body('v1', 'Namespace', [[1, [[1, name]]]])).object;
    assert.deepEqual(d.metadata, { name: '\ufeffa\ufffd' });
  });

  it('a message field sent twice merges, a scalar sent twice keeps the last', () => {
    const d = decodeK8sProtobuf(body('v1', 'ConfigMap', [[1, [[1, 'a']]], [1, [[3, 'ns'], [1, 'b']]], [4, true], [4, false]])).object;
    assert.deepEqual(d, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'b', namespace: 'ns' }, immutable: false });
  });
});

describe('decodeK8sProtobuf: malformed bodies', () => {
  it('a wrong wire type names the field', () => {
    rejects(body('v1', 'Namespace', [[1, [[1, 5]]]]), 'WRONG_WIRE_TYPE', /ObjectMeta\.name: wire type 0, want 2/);
    rejects(body('apps/v1', 'Deployment', [[2, [[1, 'three']]]]), 'WRONG_WIRE_TYPE', /DeploymentSpec\.replicas/);
    rejects(body('v1', 'ConfigMap', [[2, 5]]), 'WRONG_WIRE_TYPE');
  });

  it('field number 0, bad varints and wire types 6 and 7 are malformed', () => {
    for (const raw of [[0x00, 0x01], [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f], [0x0e], [0x0f]]) {
      assert.throws(() => decodeK8sProtobuf(Buffer.concat([body('v1', 'Namespace', []), Buffer.from([0x12, raw.length, ...raw])])), ProtoError);
    }
    rejects(Buffer.concat([MAGIC, Buffer.from([0x00])]), 'MALFORMED', /field number 0/);
  });

  it('a length past the end is truncated', () => {
    rejects(Buffer.concat([MAGIC, Buffer.from([0x12, 0x05, 0x0a])]), 'TRUNCATED');
    rejects(body('v1', 'Namespace', [[1, [[1, 'x']]]]).subarray(0, -1), 'TRUNCATED');
  });
});

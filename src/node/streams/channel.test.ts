import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exitStatus, frame, internalErrorStatus, parseMessage, parseResize, PROTOCOL_V4, PROTOCOL_V5, PORT_FORWARD_TUNNEL, selectProtocol, statusFrame, successStatus } from './channel.ts';

describe('remotecommand channel framing', () => {
  it('prefixes every message with its channel byte', () => {
    assert.deepEqual([...frame(1, 'hi')], [1, 0x68, 0x69]);
    assert.deepEqual([...frame(2, Buffer.alloc(0))], [2]);
  });

  it('reads stdin, resize and the v5 CLOSE signal', () => {
    assert.deepEqual(parseMessage(Buffer.from([0, 0x61]), true), { kind: 'data', channel: 0, data: Buffer.from('a') });
    assert.deepEqual(parseMessage(Buffer.from([255, 0]), true), { kind: 'close', channel: 0 });
    assert.equal(parseMessage(Buffer.from([255, 0, 1]), true).kind, 'invalid');
    assert.equal(parseMessage(Buffer.alloc(0), true).kind, 'invalid');
  });

  it('has no CLOSE signal in v4: 255 is an ordinary channel byte', () => {
    assert.deepEqual(parseMessage(Buffer.from([255, 0]), false), { kind: 'data', channel: 255, data: Buffer.from([0]) });
  });

  it('decodes remotecommand.TerminalSize and refuses nonsense', () => {
    assert.deepEqual(parseResize(Buffer.from('{"Width":100,"Height":30}')), { width: 100, height: 30 });
    assert.equal(parseResize(Buffer.from('{"Width":-1,"Height":30}')), undefined);
    assert.equal(parseResize(Buffer.from('{"Width":1.5,"Height":30}')), undefined);
    assert.equal(parseResize(Buffer.from('not json')), undefined);
  });

  it('prefers v5, then v4, among the offered protocols', () => {
    assert.equal(selectProtocol([PROTOCOL_V4, PROTOCOL_V5]), PROTOCOL_V5);
    assert.equal(selectProtocol([PROTOCOL_V4, 'channel.k8s.io']), PROTOCOL_V4);
    assert.equal(selectProtocol(['base64.channel.k8s.io']), undefined);
    assert.equal(selectProtocol([PORT_FORWARD_TUNNEL], [PORT_FORWARD_TUNNEL]), PORT_FORWARD_TUNNEL);
  });
});

describe('the status on the error channel', () => {
  it('is Success for exit 0, as encoding/json writes metav1.Status', () => {
    assert.equal(statusFrame(successStatus()).subarray(1).toString(), '{"metadata":{},"status":"Success"}');
    assert.deepEqual(exitStatus(['true'], 0, null), successStatus());
  });

  it('carries a non-zero exit code as NonZeroExitCode with an ExitCode cause', () => {
    const f = statusFrame(exitStatus(['sh', '-c', 'exit 3'], 3, null));
    assert.equal(f[0], 3);
    assert.equal(
      f.subarray(1).toString(),
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3",' +
        '"reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    );
  });

  it('reports a signal as 128+n, as runc does', () => {
    assert.equal(exitStatus(['sleep', '9'], null, 'SIGKILL').details!.causes[0].message, '137');
    assert.equal(exitStatus(['sleep', '9'], null, 'SIGTERM').details!.causes[0].message, '143');
  });

  it('is an InternalError when the command cannot run', () => {
    assert.deepEqual(internalErrorStatus('boom'), {
      metadata: {},
      status: 'Failure',
      message: 'Internal error occurred: boom',
      reason: 'InternalError',
      details: { causes: [{ message: 'boom' }] },
      code: 500,
    });
  });
});

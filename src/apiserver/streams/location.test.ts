import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.ts';
import { findKind } from '../../api/resources.ts';
import { MemoryStore } from '../../store/memory.ts';
import { Objects } from '../objects.ts';
import { execQuery, locate, logQuery, portForwardQuery, validateContainer } from './location.ts';

const pod = (spec: object) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec });
const q = (s: string) => new URLSearchParams(s);

function apiError(f: () => unknown): ApiError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ApiError);
    return e;
  }
  assert.fail('no error');
}

describe('validateContainer (upstream texts)', () => {
  it('defaults the only container', () => {
    assert.equal(validateContainer('', pod({ containers: [{ name: 'a' }] })), 'a');
  });

  it('asks for a name when there are several, listing init, regular and ephemeral containers', () => {
    const e = apiError(() => validateContainer('', pod({ initContainers: [{ name: 'i' }], containers: [{ name: 'a' }, { name: 'b' }], ephemeralContainers: [{ name: 'dbg' }] })));
    assert.equal(e.code, 400);
    assert.equal(e.message, 'a container name must be specified for pod p, choose one of: [i a b dbg]');
    assert.equal(apiError(() => validateContainer('', pod({}))).message, 'a container name must be specified for pod p');
  });

  it('accepts any container of the pod and refuses others', () => {
    assert.equal(validateContainer('i', pod({ initContainers: [{ name: 'i' }], containers: [{ name: 'a' }] })), 'i');
    const e = apiError(() => validateContainer('x', pod({ containers: [{ name: 'a' }] })));
    assert.deepEqual([e.code, e.reason, e.message], [400, 'BadRequest', 'container x is not valid for pod p']);
  });
});

describe('the kubelet query', () => {
  it('passes the log options on, sinceTime at second precision', () => {
    assert.equal(
      logQuery(q('follow=true&previous=1&timestamps=true&tailLines=5&limitBytes=9&sinceTime=2026-11-22T02:00:00.750Z&container=c&stream=All'), 'p').toString(),
      'follow=true&previous=true&timestamps=true&sinceTime=2026-11-22T02%3A00%3A00Z&tailLines=5&limitBytes=9',
    );
    assert.equal(logQuery(q('follow=false&sinceSeconds=10&stream=Stderr'), 'p').toString(), 'sinceSeconds=10&stream=Stderr');
  });

  it('validates log options as ValidatePodLogOptions, with a 422 naming PodLogOptions', () => {
    const e = apiError(() => logQuery(q('tailLines=-1&limitBytes=0'), 'p'));
    assert.equal(e.code, 422);
    assert.equal(e.message, 'PodLogOptions "p" is invalid: [tailLines: Invalid value: -1: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0]');
    assert.match(apiError(() => logQuery(q('sinceSeconds=1&sinceTime=2026-11-22T02:00:00Z'), 'p')).message, /at most one of `sinceTime` or `sinceSeconds` may be specified/);
    assert.match(apiError(() => logQuery(q('sinceSeconds=0'), 'p')).message, /sinceSeconds: Invalid value: 0: must be greater than 0/);
    assert.equal(apiError(() => logQuery(q('follow=yes'), 'p')).code, 400);
    assert.equal(apiError(() => logQuery(q('tailLines=ten'), 'p')).code, 400);
  });

  it('turns exec and attach options into input/output/error/tty=1 (stdout and stderr default to true)', () => {
    assert.equal(execQuery(q('command=sh&command=-c&command=echo+hi&stdin=true&stdout=true&stderr=false&tty=true&container=c'), 'exec').toString(), 'input=1&output=1&tty=1&command=sh&command=-c&command=echo+hi');
    assert.equal(execQuery(q('command=ignored'), 'attach').toString(), 'output=1&error=1');
  });

  it('joins port-forward ports', () => {
    assert.equal(portForwardQuery(q('ports=80&ports=8080')).toString(), 'port=80%2C8080');
    assert.equal(apiError(() => portForwardQuery(q('ports=http'))).code, 400);
  });
});

describe('locating the kubelet of a pod', () => {
  const setup = async () => {
    const objects = new Objects({ store: new MemoryStore() });
    const podDef = findKind('', 'Pod')!;
    const nodeDef = findKind('', 'Node')!;
    await objects.create(nodeDef, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } } } as never);
    await objects.create(nodeDef, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'bare' } });
    const mk = (name: string, nodeName?: string) => objects.create(podDef, { ...pod({ nodeName, containers: [{ name: 'c' }] }), metadata: { name, namespace: 'ns' } } as never);
    await mk('p', 'n1');
    await mk('pending');
    await mk('lost', 'gone');
    await mk('odd', 'bare');
    return objects;
  };

  it('builds the kubelet path on 127.0.0.1 with the Node port', async () => {
    const objects = await setup();
    assert.deepEqual(await locate(objects, 'ns', 'p', 'log', q('follow=true')), { host: '127.0.0.1', port: 10250, path: '/containerLogs/ns/p/c?follow=true' });
    assert.deepEqual(await locate(objects, 'ns', 'p', 'exec', q('command=ls&stdout=true')), { host: '127.0.0.1', port: 10250, path: '/exec/ns/p/c?output=1&error=1&command=ls' });
    assert.deepEqual(await locate(objects, 'ns', 'p', 'portforward', q('')), { host: '127.0.0.1', port: 10250, path: '/portForward/ns/p' });
  });

  it('streams no logs for a pod without a node, and refuses the other streams', async () => {
    const objects = await setup();
    assert.equal(await locate(objects, 'ns', 'pending', 'log', q('')), undefined);
    await assert.rejects(locate(objects, 'ns', 'pending', 'exec', q('command=ls')), { message: 'pod pending does not have a host assigned' });
  });

  it('answers NotFound for a missing pod or node, and 503 for a node without a kubelet port', async () => {
    const objects = await setup();
    await assert.rejects(locate(objects, 'ns', 'nope', 'log', q('')), { message: 'pods "nope" not found' });
    await assert.rejects(locate(objects, 'ns', 'lost', 'attach', q('')), { message: 'nodes "gone" not found' });
    await assert.rejects(locate(objects, 'ns', 'odd', 'attach', q('')), (e) => e instanceof ApiError && e.code === 503);
  });
});

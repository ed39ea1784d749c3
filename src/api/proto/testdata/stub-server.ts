/**
 * @module A stub API server for the real kubectl: legacy discovery for the
 * kinds nanokube serves, and a create handler that records each request
 * body and answers 201 with the object. Plain HTTP on 127.0.0.1 and an
 * ephemeral port, as src/api/tables/kubectl.test.ts does: content-type
 * negotiation does not depend on TLS, and no certificate is needed.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resources, type ResourceDef } from '../../resources.ts';
import { decodeK8sProtobuf } from '../decode.ts';

export const KUBECTL = '/usr/bin/kubectl';

export interface Captured {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

export interface Stub {
  /** A scratch directory, removed by close(). */
  dir: string;
  captured: Captured[];
  kubectl(...args: string[]): Promise<string>;
  close(): Promise<void>;
}

function resourceList(defs: ResourceDef[], groupVersion: string): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: defs.map((d) => ({
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: ['create', 'get', 'list'],
      shortNames: d.shortNames,
    })),
  };
}

function discovery(path: string): unknown {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') {
    const groups = [...new Set(resources.filter((d) => d.group).map((d) => d.group))].map((name) => {
      const gv = { groupVersion: `${name}/v1`, version: 'v1' };
      return { name, versions: [gv], preferredVersion: gv };
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  if (path === '/api/v1') return resourceList(resources.filter((d) => !d.group), 'v1');
  const gv = /^\/apis\/([^/]+)\/v1$/.exec(path);
  return gv ? resourceList(resources.filter((d) => d.group === gv[1]), `${gv[1]}/v1`) : undefined;
}

/** The object to answer a create with: the decoded body, or a bare one when the decoder cannot read it. */
function created(body: Buffer): unknown {
  try {
    return decodeK8sProtobuf(body).object;
  } catch {
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
    }
  }
}

export async function startStub(): Promise<Stub> {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-proto-'));
  const captured: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (code: number, body: unknown): void => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST') {
        const body = Buffer.concat(chunks);
        captured.push({ method: req.method, path: url.pathname, contentType: String(req.headers['content-type']), body });
        return send(201, created(body));
      }
      const doc = req.method === 'GET' ? discovery(url.pathname) : undefined;
      if (doc) return send(200, doc);
      send(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'stub', cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: 'stub', user: {} }],
      contexts: [{ name: 'stub', context: { cluster: 'stub', user: 'stub', namespace: 'default' } }],
      'current-context': 'stub',
    }),
  );
  return {
    dir,
    captured,
    async kubectl(...args) {
      const { stdout } = await promisify(execFile)(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], {
        cwd: dir,
        timeout: 30_000,
      });
      return stdout;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

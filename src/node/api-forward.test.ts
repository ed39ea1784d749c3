import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { forwardApi } from './api-forward.ts';

// Plan: an HTTP server on 127.0.0.1:<ephemeral> plays the API; the door listens on 127.0.0.1 too.
test('the door forwards connections to the API server and closes with them', async () => {
  const api = createServer((req, res) => res.end(`hello from ${req.url}`));
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  const port = (api.address() as AddressInfo).port;
  const door = await forwardApi({ host: '127.0.0.1', port, target: { host: '127.0.0.1', port } });
  assert.notEqual(door.port, port, 'the port is taken on this address, so another one is used');
  const res = await fetch(`http://127.0.0.1:${door.port}/version`);
  assert.equal(await res.text(), 'hello from /version');
  await door.close();
  await assert.rejects(fetch(`http://127.0.0.1:${door.port}/`));
  api.close();
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeNetworkState } from '../node/network/state.ts';
import { nodeNetns, parseNodeExecArgs } from './node-exec.ts';

const dir = mkdtempSync(join(tmpdir(), 'nk-node-exec-'));
const netnsDir = join(dir, 'run-netns');
mkdirSync(netnsDir);
after(() => rmSync(dir, { recursive: true, force: true }));

describe('parseNodeExecArgs', () => {
  it('takes NODE before -- and the command after it untouched', () => {
    assert.deepEqual(parseNodeExecArgs(['node-1', '--', 'ip', '-br', 'a', '--', 'x'], { NANOKUBE_DATA_DIR: '/d' }), { dataDir: '/d', node: 'node-1', command: ['ip', '-br', 'a', '--', 'x'] });
    assert.equal(parseNodeExecArgs(['--data-dir', '/x', 'n', '--', 'true']).dataDir, '/x');
    assert.equal(parseNodeExecArgs(['--data-dir=/y', 'n', '--', 'true']).dataDir, '/y');
  });

  it('rejects a missing node, command or separator, and unknown flags', () => {
    for (const args of [['n'], ['n', 'ip'], ['--', 'ip'], ['a', 'b', '--', 'ip'], ['-x', 'n', '--', 'ip']]) {
      assert.throws(() => parseNodeExecArgs(args), { name: 'NetworkError', code: 'INVALID' }, args.join(' '));
    }
  });
});

describe('nodeNetns', () => {
  it('finds the node by name (or namespace) in the server state', async () => {
    const dataDir = join(dir, 'a');
    await writeNetworkState(join(dataDir, 'network.json'), {
      mode: 'isolated',
      runId: 'r1',
      nodes: [{ name: 'node-0', netns: 'nk-r1-n0', nodeIP: '172.30.0.10', podCidr: '10.244.0.0/24', gateway: '10.244.0.1' }],
    });
    writeFileSync(join(netnsDir, 'nk-r1-n0'), '');
    assert.equal(await nodeNetns(dataDir, 'node-0', netnsDir), 'nk-r1-n0');
    assert.equal(await nodeNetns(dataDir, 'nk-r1-n0', netnsDir), 'nk-r1-n0');
    await assert.rejects(nodeNetns(dataDir, 'node-9', netnsDir), { code: 'NODE_NOT_FOUND', message: 'node "node-9" not found; nodes: node-0' });
    rmSync(join(netnsDir, 'nk-r1-n0'));
    await assert.rejects(nodeNetns(dataDir, 'node-0', netnsDir), { code: 'NODE_NOT_FOUND', message: /is gone/ });
  });

  it('runs on the host for a host-mode node, and takes a namespace name without state', async () => {
    const dataDir = join(dir, 'b');
    await writeNetworkState(join(dataDir, 'network.json'), { mode: 'host', nodes: [{ name: 'me', netns: '', nodeIP: '192.0.2.2', podCidr: '10.244.0.0/24', gateway: '10.244.0.1' }] });
    assert.equal(await nodeNetns(dataDir, 'me', netnsDir), '');
    writeFileSync(join(netnsDir, 'nk-zz-n1'), '');
    assert.equal(await nodeNetns(join(dir, 'none'), 'nk-zz-n1', netnsDir), 'nk-zz-n1');
    await assert.rejects(nodeNetns(join(dir, 'none'), 'node-0', netnsDir), { code: 'NODE_NOT_FOUND', message: /no .*network\.json: is a server running/ });
  });
});

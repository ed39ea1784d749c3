/**
 * The shared proxy suite (proxy-suite.ts) in nftables mode, plus S9.1: the
 * node's `ip nanokube` table shows every Service port and follows changes.
 * Address plan: see proxy-suite.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { eventually, proxySuite } from './proxy-suite.ts';

proxySuite('nftables', (pc) => {
  it('S9.1 `nft list table ip nanokube` on the node shows the rules of every Service port and follows changes', async () => {
    const { k, runId } = pc();
    const table = () => spawnSync('ip', ['netns', 'exec', `nk-${runId}-n1`, 'nft', 'list', 'table', 'ip', 'nanokube'], { encoding: 'utf8' }).stdout;
    k(['create', 'service', 'clusterip', 'listed', '--tcp=8765:8080']);
    const ip = k(['get', 'svc', 'listed', '-o', 'jsonpath={.spec.clusterIP}']).stdout;
    await eventually('listed in the table', () => table().includes(`${ip} . tcp . 8765`));
    assert.match(table(), /chain service-[A-Z0-9]{8}-default\/node-js\/tcp\/http \{/);
    k(['delete', 'service', 'listed']);
    await eventually('gone from the table', () => !table().includes(`${ip} . tcp . 8765`));
  });
});

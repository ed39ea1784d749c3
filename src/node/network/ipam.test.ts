/** Address plan: pod CIDR 10.244.0.0/24 (gateway .1, pods .2-.254), a /29 to run out. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Ipam } from './ipam.ts';

const dir = mkdtempSync(join(tmpdir(), 'nk-ipam-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `ipam-${n++}.json`);

describe('Ipam', () => {
  it('allocates from .2 on, one address per uid, idempotently', async () => {
    const ipam = await Ipam.open({ file: file(), cidr: '10.244.0.0/24' });
    assert.equal(await ipam.allocate('a'), '10.244.0.2');
    assert.equal(await ipam.allocate('b'), '10.244.0.3');
    assert.equal(await ipam.allocate('a'), '10.244.0.2');
    assert.deepEqual(ipam.list(), [
      { uid: 'a', ip: '10.244.0.2' },
      { uid: 'b', ip: '10.244.0.3' },
    ]);
  });

  it('persists allocations so a reopened IPAM (agent restart) gives each pod its IP back', async () => {
    const f = file();
    const one = await Ipam.open({ file: f, cidr: '10.244.1.0/24' });
    await one.allocate('a');
    await one.allocate('b');
    assert.deepEqual(JSON.parse(readFileSync(f, 'utf8')), { cidr: '10.244.1.0/24', allocations: { a: '10.244.1.2', b: '10.244.1.3' }, last: '10.244.1.3' });
    const two = await Ipam.open({ file: f, cidr: '10.244.1.0/24' });
    assert.equal(two.get('b'), '10.244.1.3');
    assert.equal(await two.allocate('c'), '10.244.1.4');
  });

  it('does not hand a released address out again at once (round robin)', async () => {
    const f = file();
    const ipam = await Ipam.open({ file: f, cidr: '10.244.0.0/24' });
    await ipam.allocate('a');
    await ipam.allocate('b');
    await ipam.release('a');
    assert.equal(ipam.get('a'), undefined);
    assert.equal(await ipam.allocate('c'), '10.244.0.4');
    assert.deepEqual(JSON.parse(readFileSync(f, 'utf8')).allocations, { b: '10.244.0.3', c: '10.244.0.4' });
    await ipam.release('nobody');
  });

  it('wraps around and then runs out with a clear error', async () => {
    const ipam = await Ipam.open({ file: file(), cidr: '10.244.0.0/29' });
    const got = [];
    for (const uid of ['a', 'b', 'c', 'd', 'e']) got.push(await ipam.allocate(uid));
    assert.deepEqual(got, ['10.244.0.2', '10.244.0.3', '10.244.0.4', '10.244.0.5', '10.244.0.6']);
    await assert.rejects(ipam.allocate('f'), { name: 'NetworkError', code: 'IPAM_EXHAUSTED', message: 'no free address in pod CIDR 10.244.0.0/29 (5 in use)' });
    await ipam.release('b');
    assert.equal(await ipam.allocate('f'), '10.244.0.3');
  });

  it('gives concurrent allocations distinct addresses', async () => {
    const ipam = await Ipam.open({ file: file(), cidr: '10.244.0.0/24' });
    const ips = await Promise.all(Array.from({ length: 20 }, (_, i) => ipam.allocate(`p${i}`)));
    assert.equal(new Set(ips).size, 20);
  });

  it('rejects a corrupt file and a bad CIDR', async () => {
    const f = file();
    writeFileSync(f, '{not json');
    await assert.rejects(Ipam.open({ file: f, cidr: '10.244.0.0/24' }), { code: 'STATE_CORRUPT' });
    writeFileSync(f, '{"cidr":"10.244.0.0/24"}');
    await assert.rejects(Ipam.open({ file: f, cidr: '10.244.0.0/24' }), { code: 'STATE_CORRUPT' });
    await assert.rejects(Ipam.open({ file: file(), cidr: '10.244.0.0/31' }), { code: 'INVALID' });
    await assert.rejects(Ipam.open({ file: file(), cidr: 'x' }), { code: 'INVALID' });
  });
});

// No addresses: pure string formatting. Clock: NOW = 2024-06-01T12:00:00Z.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createdAt as createdAtFor } from './default.ts';
import {
  formatLabels,
  formatLabelSelector,
  humanDuration,
  joinHostPort,
  type LabelSelector,
  labelSelectorString,
  LabelSelectorError,
  layoutContainerCells,
  listWithMore,
  translateTimestampSince,
} from './format.ts';

const ms = 1e-6; // one nanosecond, in milliseconds
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

describe('humanDuration (upstream TestHumanDuration)', () => {
  const cases: [number, string][] = [
    [S, '1s'],
    [70 * S, '70s'],
    [190 * S, '3m10s'],
    [70 * M, '70m'],
    [47 * H, '47h'],
    [49 * H, '2d1h'],
    [(8 * 24 + 2) * H, '8d'],
    [367 * D, '367d'],
    [(365 * 2 * 24 + 25) * H, '2y1d'],
    [(365 * 8 * 24 + 2) * H, '8y'],
  ];
  for (const [d, want] of cases) it(`${d}ms -> ${want}`, () => assert.equal(humanDuration(d), want));
});

describe('humanDuration (upstream TestHumanDurationBoundaries)', () => {
  const cases: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-2 * S + ms, '0s'],
    [0, '0s'],
    [S - 1, '0s'],
    [2 * M - 1, '119s'],
    [2 * M, '2m'],
    [2 * M + S, '2m1s'],
    [10 * M - 1, '9m59s'],
    [10 * M, '10m'],
    [10 * M + S, '10m'],
    [3 * H - 1, '179m'],
    [3 * H, '3h'],
    [3 * H + M, '3h1m'],
    [8 * H - 1, '7h59m'],
    [8 * H, '8h'],
    [8 * H + 59 * M, '8h'],
    [2 * D - 1, '47h'],
    [2 * D, '2d'],
    [2 * D + H, '2d1h'],
    [8 * D - 1, '7d23h'],
    [8 * D, '8d'],
    [8 * D + 23 * H, '8d'],
    [2 * Y - 1, '729d'],
    [2 * Y, '2y'],
    [2 * Y + 23 * H, '2y'],
    [2 * Y + 23 * H + 59 * M, '2y'],
    [2 * Y + 24 * H - 1, '2y'],
    [2 * Y + 24 * H, '2y1d'],
    [3 * Y, '3y'],
    [4 * Y, '4y'],
    [5 * Y, '5y'],
    [6 * Y, '6y'],
    [7 * Y, '7y'],
    [8 * Y - 1, '7y364d'],
    [8 * Y, '8y'],
    [8 * Y + 364 * D, '8y'],
    [9 * Y, '9y'],
  ];
  for (const [d, want] of cases) it(`${d}ms -> ${want}`, () => assert.equal(humanDuration(d), want));
});

describe('translateTimestampSince', () => {
  const now = new Date('2024-06-01T12:00:00Z');
  it('measures from now', () => {
    assert.equal(translateTimestampSince('2024-06-01T11:55:00Z', now), '5m');
    assert.equal(translateTimestampSince('2024-06-01T11:59:01Z', now), '59s');
    assert.equal(translateTimestampSince('2024-05-29T08:00:00Z', now), '3d4h');
  });
  it('reads MicroTime fractions', () => {
    assert.equal(translateTimestampSince('2024-06-01T11:59:30.500000Z', now), '29s');
  });
  it('is <unknown> for a missing, zero or unparsable time (metav1.Time.IsZero)', () => {
    for (const ts of [undefined, null, '', '0001-01-01T00:00:00Z', 'yesterday', 42]) {
      assert.equal(translateTimestampSince(ts, now), '<unknown>', String(ts));
    }
  });
  it('tolerates one second of clock skew, not two', () => {
    assert.equal(translateTimestampSince('2024-06-01T12:00:01Z', now), '0s');
    assert.equal(translateTimestampSince('2024-06-01T12:00:02Z', now), '<invalid>');
  });
});

describe('labels', () => {
  it('formatLabels sorts keys and says <none> when empty', () => {
    assert.equal(formatLabels({ tier: 'web', app: 'nginx' }), 'app=nginx,tier=web');
    assert.equal(formatLabels({}), '<none>');
    assert.equal(formatLabels(undefined), '<none>');
  });
  it('labelSelectorString prints every operator, sorted by key, values sorted', () => {
    const sel = {
      matchLabels: { run: 'my-nginx' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['web', 'cache'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'app', operator: 'Exists' },
      ],
    };
    assert.equal(labelSelectorString(sel), 'app,!canary,env notin (prod),run=my-nginx,tier in (cache,web)');
  });
  it('labelSelectorString: null and empty selectors print nothing', () => {
    assert.equal(labelSelectorString(null), '');
    assert.equal(labelSelectorString({}), '');
  });
  it('labelSelectorString rejects what LabelSelectorAsSelector rejects', () => {
    const bad: LabelSelector[] = [
      { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      { matchLabels: { 'bad key!': 'x' } },
      { matchLabels: { app: 'no spaces' } },
    ];
    for (const sel of bad) assert.throws(() => labelSelectorString(sel), LabelSelectorError, JSON.stringify(sel));
  });
  it('formatLabelSelector: <none> when empty, <error> when invalid', () => {
    assert.equal(formatLabelSelector({ matchLabels: { app: 'web' } }), 'app=web');
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Nope' }] }), '<error>');
  });
});

describe('small helpers', () => {
  it('joinHostPort brackets IPv6', () => {
    assert.equal(joinHostPort('10.244.0.5', 80), '10.244.0.5:80');
    assert.equal(joinHostPort('fd00::5', 80), '[fd00::5]:80');
  });
  it('listWithMore', () => {
    assert.equal(listWithMore(['a', 'b', 'c'], true, 5, 3), 'a,b,c + 2 more...');
    assert.equal(listWithMore(['a'], false, 1, 3), 'a');
    assert.equal(listWithMore([], false, 0, 3), '<unset>');
  });
  it('layoutContainerCells', () => {
    assert.deepEqual(layoutContainerCells([{ name: 'web', image: 'nginx' }, { name: 'log', image: 'busybox' }]), ['web,log', 'nginx,busybox']);
    assert.deepEqual(layoutContainerCells(undefined), ['', '']);
  });
  it('createdAt prints whole-second UTC RFC 3339, Go zero time when unset', () => {
    assert.equal(createdAtFor('2024-06-01T12:00:00.750+02:00'), '2024-06-01T10:00:00Z');
    assert.equal(createdAtFor(undefined), '0001-01-01T00:00:00Z');
  });
});

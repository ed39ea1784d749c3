import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expand, expandCommandAndArgs, makeEnvironment, processEnvironment } from './env.ts';

describe('expand ($(VAR) as the kubelet does it)', () => {
  const vars: Record<string, string> = { A: 'a', B: 'b', EMPTY: '' };
  const lookup = (n: string) => (Object.hasOwn(vars, n) ? vars[n] : undefined);
  const cases: [string, string][] = [
    ['$(A)', 'a'],
    ['x$(A)y$(B)z', 'xaybz'],
    ['$(MISSING)', '$(MISSING)'],
    ['$(EMPTY)|', '|'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$a'],
    ['$$', '$'],
    ['$A', '$A'],
    ['$', '$'],
    ['a$', 'a$'],
    ['$(A', '$(A'],
    ['$()', '$()'],
    ['$(A)$(B', 'a$(B'],
    ['héllo $(A) wörld', 'héllo a wörld'],
  ];
  for (const [input, want] of cases) it(JSON.stringify(input), () => assert.equal(expand(input, lookup), want));
});

describe('makeEnvironment', () => {
  it('envFrom, then env in order, then the service variables not set', () => {
    const env = makeEnvironment({
      envFrom: [{ name: 'CM_A', value: '1' }, { name: 'SHARED', value: 'from-cm' }],
      env: [{ name: 'X', value: 'x' }, { name: 'SHARED', value: 'from-env' }],
      serviceEnv: { KUBERNETES_SERVICE_HOST: '10.96.0.1', X: 'svc' },
    });
    assert.deepEqual(env, [
      { name: 'CM_A', value: '1' },
      { name: 'SHARED', value: 'from-env' },
      { name: 'X', value: 'x' },
      { name: 'KUBERNETES_SERVICE_HOST', value: '10.96.0.1' },
    ]);
  });
  it('a value sees earlier variables and the service variables, not later ones', () => {
    const env = makeEnvironment({
      env: [
        { name: 'A', value: 'a' },
        { name: 'B', value: '$(A)-$(C)-$(SVC_SERVICE_HOST)' },
        { name: 'C', value: 'c' },
      ],
      serviceEnv: { SVC_SERVICE_HOST: '10.96.0.7' },
    });
    assert.equal(env.find((e) => e.name === 'B')!.value, 'a-$(C)-10.96.0.7');
  });
  it('valueFrom is resolved by the caller and not expanded', () => {
    const env = makeEnvironment({
      env: [{ name: 'A', value: 'a' }, { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'RAW', valueFrom: {} }],
      resolveValueFrom: (v) => (v.name === 'POD_IP' ? '10.244.0.5' : '$(A)'),
    });
    assert.deepEqual(env.slice(1), [{ name: 'POD_IP', value: '10.244.0.5' }, { name: 'RAW', value: '$(A)' }]);
  });
  it('an empty value stays empty', () => assert.deepEqual(makeEnvironment({ env: [{ name: 'E' }] }), [{ name: 'E', value: '' }]));
});

describe('expandCommandAndArgs', () => {
  it('expands against the final environment, leaves absent lists absent', () => {
    const env = [{ name: 'MSG', value: 'hi' }];
    assert.deepEqual(expandCommandAndArgs({ command: ['echo', '$(MSG)'], args: ['$$(MSG)'] }, env), { command: ['echo', 'hi'], args: ['$(MSG)'] });
    assert.deepEqual(expandCommandAndArgs({}, env), {});
  });
});

describe('processEnvironment', () => {
  it('image ENV, then HOSTNAME/TERM, then the container; HOME defaults', () => {
    const env = processEnvironment({ PATH: '/bin', A: 'image' }, [{ name: 'A', value: 'container' }], { hostname: 'web-0', tty: true });
    assert.deepEqual(env, { PATH: '/bin', A: 'container', HOSTNAME: 'web-0', TERM: 'xterm', HOME: '/root' });
  });
  it('nothing leaks from the agent', () => assert.equal(processEnvironment(undefined, []).PATH, undefined));
});

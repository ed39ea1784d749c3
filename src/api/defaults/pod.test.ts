import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { applyDefaults } from './index.ts';
import { imageTag } from './pod.ts';

const podKind = { group: '', version: 'v1', kind: 'Pod' };
const pod = (spec: any): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec });
const defaulted = (p: KubeObject): KubeObject => {
  const copy = structuredClone(p);
  applyDefaults(podKind, copy);
  return copy;
};

test('a bare pod gets the fields upstream shows in `kubectl get pod -o yaml`', () => {
  const p = defaulted(pod({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] }));
  assert.deepEqual(p.spec, {
    containers: [
      {
        name: 'web',
        image: 'nginx',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        imagePullPolicy: 'Always',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        resources: {},
      },
    ],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    schedulerName: 'default-scheduler',
    enableServiceLinks: true,
    priority: 0,
    preemptionPolicy: 'PreemptLowerPriority',
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
  });
});

test('imagePullPolicy: Always for :latest or no tag, IfNotPresent otherwise', () => {
  const cases: [string, string][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['localhost:5000/team/app', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['registry.k8s.io/e2e-test-images/agnhost:2.39', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
    ['Nginx', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) {
    const p = defaulted(pod({ containers: [{ name: 'c', image }] }));
    assert.equal(p.spec.containers[0].imagePullPolicy, want, image);
  }
  assert.equal(imageTag('localhost:5000/app:v2'), 'v2');
  assert.equal(imageTag(''), undefined);
  const explicit = defaulted(pod({ containers: [{ name: 'c', image: 'nginx', imagePullPolicy: 'Never' }] }));
  assert.equal(explicit.spec.containers[0].imagePullPolicy, 'Never');
});

test('probes and lifecycle handlers', () => {
  const p = defaulted(
    pod({
      containers: [
        {
          name: 'c',
          image: 'nginx:1.25',
          livenessProbe: { httpGet: { port: 80 } },
          readinessProbe: { grpc: { port: 9090 }, periodSeconds: 5 },
          lifecycle: { preStop: { httpGet: { port: 80, path: '/drain' } } },
          env: [{ name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
        },
      ],
    }),
  );
  const c = p.spec.containers[0];
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.readinessProbe, { grpc: { port: 9090, service: '' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c.lifecycle.preStop.httpGet, { port: 80, path: '/drain', scheme: 'HTTP' });
  assert.deepEqual(c.env[0].valueFrom.fieldRef, { fieldPath: 'metadata.namespace', apiVersion: 'v1' });
});

test('volumes: emptyDir when no source, modes 0644, hostPath type ""', () => {
  const p = defaulted(
    pod({
      containers: [{ name: 'c', image: 'busybox:1.36' }],
      volumes: [
        { name: 'scratch' },
        { name: 'cfg', configMap: { name: 'site' } },
        { name: 'tls', secret: { secretName: 'whale-tls' } },
        { name: 'host', hostPath: { path: '/var/log' } },
        { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
        { name: 'sized', emptyDir: { sizeLimit: '0.5Gi' } },
      ],
    }),
  );
  assert.deepEqual(p.spec.volumes, [
    { name: 'scratch', emptyDir: {} },
    { name: 'cfg', configMap: { name: 'site', defaultMode: 420 } },
    { name: 'tls', secret: { secretName: 'whale-tls', defaultMode: 420 } },
    { name: 'host', hostPath: { path: '/var/log', type: '' } },
    { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }], defaultMode: 420 } },
    { name: 'sized', emptyDir: { sizeLimit: '512Mi' } },
  ]);
});

test('resources: requests default to limits on pods, quantities canonical and rounded to milli', () => {
  const p = defaulted(pod({ containers: [{ name: 'c', image: 'nginx:1.25', resources: { limits: { cpu: '0.5', memory: '1024Mi' }, requests: { cpu: 0.0001 } } }] }));
  assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '1m', memory: '1Gi' } });
});

test('pod-only defaults are not applied to templates', () => {
  const d: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '1' } } }] } } },
  };
  applyDefaults({ group: 'apps', version: 'v1', kind: 'Deployment' }, d);
  const spec = d.spec.template.spec;
  assert.equal(spec.enableServiceLinks, undefined);
  assert.equal(spec.priority, undefined);
  assert.equal(spec.tolerations, undefined);
  assert.deepEqual(spec.containers[0].resources, { limits: { cpu: '1' } });
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
});

test('admission-like defaults respect what the pod already says', () => {
  const p = defaulted(
    pod({
      containers: [{ name: 'c', image: 'nginx' }],
      priorityClassName: 'system-node-critical',
      tolerations: [{ operator: 'Exists' }],
      hostNetwork: true,
      serviceAccount: 'builder',
    }),
  );
  assert.equal(p.spec.priority, 2000001000);
  assert.equal(p.spec.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(p.spec.tolerations, [{ operator: 'Exists' }]);
  assert.equal(p.spec.serviceAccountName, 'builder');
  assert.equal(p.spec.serviceAccount, 'builder');
  const hostPorts = defaulted(pod({ hostNetwork: true, containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 8080 }] }] }));
  assert.deepEqual(hostPorts.spec.containers[0].ports, [{ containerPort: 8080, hostPort: 8080, protocol: 'TCP' }]);
});

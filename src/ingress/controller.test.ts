/**
 * The control loop against a fake cluster view: class selection before and
 * after a default IngressClass appears, status from the publish Service
 * or the nodes (patched only on change), Events (Sync, Warning for a bad
 * annotation), and a table applied only when it changed. Address plan:
 * node 192.0.2.11, pods 10.244.0.x, externalIP 198.51.100.7. Nothing is
 * dialled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { IngressController, type ClusterView } from './controller.ts';
import { ingress, ingressClass, service, slice } from './fixtures.ts';
import type { RouteTable } from './types.ts';

class FakeView implements ClusterView {
  ings: KubeObject[] = [];
  classes: KubeObject[] = [];
  svcs: KubeObject[] = [service('web'), { ...service('ingress-nginx-controller', [{ port: 80 }], 'ingress-nginx') }];
  slices: KubeObject[] = [slice('web', [{ ip: '10.244.0.5' }])];
  nodeList: KubeObject[] = [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.11' }, { type: 'Hostname', address: 'n1' }] } }];
  #cbs: (() => void)[] = [];
  ingresses = () => this.ings;
  ingressClasses = () => this.classes;
  services = () => this.svcs;
  endpointSlices = () => this.slices;
  secrets = () => [];
  nodes = () => this.nodeList;
  onChange(cb: () => void) {
    this.#cbs.push(cb);
  }
  waitSynced = async () => undefined;
  changed() {
    for (const c of this.#cbs) c();
  }
}

function setup() {
  const view = new FakeView();
  const tables: RouteTable[] = [];
  const patches: { name: string; patch: any }[] = [];
  const events: string[] = [];
  const logs: string[] = [];
  const c = new IngressController({
    view,
    status: {
      async patchStatus(ing, patch) {
        patches.push({ name: ing.metadata.name!, patch });
        ing.status = (patch as any).status;
      },
    },
    recorder: { event: (o, type, reason, message) => events.push(`${o.metadata.name} ${type} ${reason} ${message}`) },
    publishService: 'ingress-nginx/ingress-nginx-controller',
    watchNamespace: '',
    ingressClass: 'nginx',
    controllerClass: 'k8s.io/ingress-nginx',
    apply: async (t) => void tables.push(t),
    log: (l) => logs.push(l),
    debounceMs: 1,
  });
  return { view, c, tables, patches, events, logs };
}

const hosts = (t: RouteTable) => t.servers.map((s) => `${s.host}:${s.routes.map((r) => r.path).join(',')}`);

test('a class-less Ingress is served only once a default IngressClass of ours exists', async () => {
  const { view, c, tables } = setup();
  view.classes = [ingressClass('nginx')];
  view.ings = [ingress('minimal', { rules: [{ paths: [{ path: '/testpath', service: 'web' }] }] })];
  await c.start(new AbortController().signal);
  assert.deepEqual(hosts(tables.at(-1)!), [':']);
  view.classes = [ingressClass('nginx', 'k8s.io/ingress-nginx', true)];
  await c.sync();
  assert.deepEqual(hosts(tables.at(-1)!), [':/testpath']);
  // Another controller's default class does not make it ours.
  view.classes = [ingressClass('other', 'example.com/other', true), ingressClass('nginx')];
  await c.sync();
  assert.deepEqual(hosts(tables.at(-1)!), [':']);
});

test('explicit class names and the legacy annotation; other classes are ignored', async () => {
  const { view, c, tables } = setup();
  view.classes = [ingressClass('nginx'), ingressClass('traefik', 'traefik.io/ingress-controller')];
  view.ings = [
    ingress('mine', { className: 'nginx', rules: [{ host: 'mine.test', paths: [{ service: 'web' }] }] }),
    ingress('legacy', { annotations: { 'kubernetes.io/ingress.class': 'nginx' }, rules: [{ host: 'legacy.test', paths: [{ service: 'web' }] }] }),
    ingress('theirs', { className: 'traefik', rules: [{ host: 'theirs.test', paths: [{ service: 'web' }] }] }),
  ];
  await c.start(new AbortController().signal);
  assert.deepEqual(hosts(tables.at(-1)!), [':', 'legacy.test:/', 'mine.test:/']);
});

test('status: node InternalIPs without a publish address, then the Service externalIPs; patched only on change', async () => {
  const { view, c, patches } = setup();
  view.classes = [ingressClass('nginx')];
  view.ings = [ingress('a', { className: 'nginx', rules: [{ paths: [{ service: 'web' }] }] })];
  await c.start(new AbortController().signal);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(patches, [{ name: 'a', patch: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.11' }] } } } }]);
  await c.sync();
  assert.equal(patches.length, 1, 'unchanged status is not patched again');
  view.svcs[1] = { ...view.svcs[1], spec: { ...view.svcs[1].spec, externalIPs: ['198.51.100.7'] } };
  await c.sync();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(patches[1].patch.status.loadBalancer.ingress, [{ ip: '198.51.100.7' }]);
});

test('events: Sync per new version, a Warning for an invalid annotation, whose routes are left out', async () => {
  const { view, c, tables, events } = setup();
  view.classes = [ingressClass('nginx')];
  view.ings = [
    ingress('good', { className: 'nginx', rules: [{ host: 'good.test', paths: [{ service: 'web' }] }] }),
    ingress('bad', { className: 'nginx', annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': 'lots' }, rules: [{ host: 'bad.test', paths: [{ service: 'web' }] }] }),
  ];
  await c.start(new AbortController().signal);
  assert.deepEqual(hosts(tables.at(-1)!), [':', 'good.test:/']);
  assert.ok(events.includes('good Normal Sync Scheduled for sync'));
  assert.ok(events.some((e) => e.startsWith('bad Warning InvalidAnnotation annotation nginx.ingress.kubernetes.io/proxy-body-size')));
  const n = events.length;
  await c.sync();
  assert.equal(events.length, n, 'no repeated events for an unchanged Ingress');
});

test('a change is applied once after a burst, and an unchanged table is not applied again', async () => {
  const { view, c, tables } = setup();
  view.classes = [ingressClass('nginx')];
  await c.start(new AbortController().signal);
  const before = tables.length;
  await c.sync();
  assert.equal(tables.length, before);
  view.ings = [ingress('x', { className: 'nginx', rules: [{ host: 'x.test', paths: [{ service: 'web' }] }] })];
  for (let i = 0; i < 5; i++) view.changed();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(tables.length, before + 1);
  assert.equal(c.version, tables.at(-1)!.version);
  assert.equal(c.reloads, tables.length);
});

/**
 * End-to-end: the endpoints, EndpointSlice and mirroring controllers
 * against a real `nanokube server`, driven by the real kubectl (S5.1-S5.3
 * and the rules behind them). The test plays the kubelet through the API
 * (endpoints-kubelet.ts). Only the loopback API is contacted; the addresses
 * below are made up and never sent to.
 *
 * Address plan:
 *   nodes      node-a (zone-a), node-b (zone-b)
 *   web        web-1 10.244.1.11 node-a, web-2 10.244.1.12 node-a, web-3 10.244.2.13 node-b; port http 8080
 *   named      named-1 10.244.1.21 http=8080/TCP, named-2 10.244.2.22 http=9376/TCP,
 *              named-3 10.244.2.23 no http port, named-4 10.244.2.24 http=8080/UDP
 *   headless   myapp-rs-headless-{a,b,c} 10.244.3.31-33 port 8080
 *   custom     custom-service -> 10.244.1.11:8080 (web-1's IP, by hand)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { removeDir, startCluster, type Cluster } from './harness.ts';
import { TestKubelet, podYaml, sleep, waitFor } from './endpoints-kubelet.ts';

const svcYaml = (name: string, spec: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

describe('endpoints and EndpointSlices', () => {
  let c: Cluster;
  let kubelet: TestKubelet;
  const apply = (yaml: string) => c.kubectl(['apply', '-f', '-'], { input: yaml });
  const json = (args: string[]) => JSON.parse(c.kubectl([...args, '-o', 'json']).stdout);
  const getEp = () => c.kubectl(['get', 'endpoints']).stdout;
  const slicesOf = (svc: string) => json(['get', 'endpointslices', '-l', `kubernetes.io/service-name=${svc}`]).items;

  before(async () => {
    c = await startCluster();
    kubelet = new TestKubelet(c, [
      { name: 'node-a', zone: 'zone-a' },
      { name: 'node-b', zone: 'zone-b' },
    ]);
    await kubelet.start();
  });
  after(async () => {
    await kubelet?.stop();
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  it('S5.1: kubectl get endpoints lists every Service with its ready IP:port, and a deleted pod leaves within a second', async () => {
    apply(
      [
        svcYaml('web', '  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: 8080\n'),
        svcYaml('web-alt', '  selector:\n    app: web\n  ports:\n  - port: 90\n    targetPort: 8080\n'),
        podYaml({ name: 'web-1', labels: { app: 'web' }, node: 'node-a', ports: [{ name: 'http', port: 8080 }] }),
        podYaml({ name: 'web-2', labels: { app: 'web' }, node: 'node-a', ports: [{ name: 'http', port: 8080 }] }),
        podYaml({ name: 'web-3', labels: { app: 'web' }, node: 'node-b', ports: [{ name: 'http', port: 8080 }] }),
      ].join('---\n'),
    );
    await kubelet.run('default', 'web-1', '10.244.1.11', true);
    await kubelet.run('default', 'web-2', '10.244.1.12', true);
    await kubelet.run('default', 'web-3', '10.244.2.13', true);
    await waitFor('web endpoints', () => /^web\s+10\.244\.1\.11:8080,10\.244\.1\.12:8080,10\.244\.2\.13:8080\s+\d+s$/m.test(getEp()));
    const out = getEp();
    assert.match(out, /^NAME\s+ENDPOINTS\s+AGE$/m);
    assert.match(out, /^kubernetes\s+\d+\.\d+\.\d+\.\d+:\d+\s/m);
    assert.match(out, /^web-alt\s+10\.244\.1\.11:8080,10\.244\.1\.12:8080,10\.244\.2\.13:8080\s/m);

    c.kubectl(['delete', 'pod', 'web-2', '--wait=false']);
    const t0 = Date.now();
    await waitFor('web-2 to leave', () => !getEp().includes('10.244.1.12'), 1000);
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
    assert.match(getEp(), /^web\s+10\.244\.1\.11:8080,10\.244\.2\.13:8080\s/m);
  });

  it('puts unready pods in notReadyAddresses; publishNotReadyAddresses keeps them as addresses', async () => {
    await kubelet.setReady('default', 'web-3', false);
    await waitFor('web-3 not ready', () => json(['get', 'endpoints', 'web']).subsets?.[0]?.notReadyAddresses?.length === 1);
    const ep = json(['get', 'endpoints', 'web']);
    const uid = (n: string) => json(['get', 'pod', n]).metadata.uid;
    assert.deepEqual(ep.subsets, [
      {
        addresses: [{ ip: '10.244.1.11', nodeName: 'node-a', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: uid('web-1') } }],
        notReadyAddresses: [{ ip: '10.244.2.13', nodeName: 'node-b', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-3', uid: uid('web-3') } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
    assert.match(ep.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.match(getEp(), /^web\s+10\.244\.1\.11:8080\s/m);
    await waitFor('slice condition', () => slicesOf('web')[0]?.endpoints?.some((e: any) => e.targetRef.name === 'web-3' && e.conditions.ready === false));
    assert.deepEqual(slicesOf('web')[0].endpoints.find((e: any) => e.targetRef.name === 'web-3').conditions, { ready: false, serving: false, terminating: false });

    apply(svcYaml('web-pub', '  publishNotReadyAddresses: true\n  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: 8080\n'));
    await waitFor('web-pub endpoints', () => /^web-pub\s+10\.244\.1\.11:8080,10\.244\.2\.13:8080\s/m.test(getEp()));
    await kubelet.setReady('default', 'web-3', true);
    await waitFor('web-3 ready again', () => /^web\s+10\.244\.1\.11:8080,10\.244\.2\.13:8080\s/m.test(getEp()));
  });

  it('resolves a named targetPort per pod by name and protocol', async () => {
    apply(
      [
        svcYaml('named', '  selector:\n    app: named\n  ports:\n  - name: web\n    port: 80\n    targetPort: http\n'),
        podYaml({ name: 'named-1', labels: { app: 'named' }, node: 'node-a', ports: [{ name: 'http', port: 8080 }] }),
        podYaml({ name: 'named-2', labels: { app: 'named' }, node: 'node-b', ports: [{ name: 'http', port: 9376 }] }),
        podYaml({ name: 'named-3', labels: { app: 'named' }, node: 'node-b', ports: [{ name: 'other', port: 8080 }] }),
        podYaml({ name: 'named-4', labels: { app: 'named' }, node: 'node-b', ports: [{ name: 'http', port: 8080, protocol: 'UDP' }] }),
      ].join('---\n'),
    );
    for (const [n, ip] of [
      ['named-1', '10.244.1.21'],
      ['named-2', '10.244.2.22'],
      ['named-3', '10.244.2.23'],
      ['named-4', '10.244.2.24'],
    ]) {
      await kubelet.run('default', n, ip, true);
    }
    await waitFor('named endpoints', () => /^named\s+10\.244\.1\.21:8080,10\.244\.2\.22:9376\s/m.test(getEp()));
    const ep = json(['get', 'endpoints', 'named']);
    assert.deepEqual(
      ep.subsets.map((s: any) => [s.addresses.map((a: any) => a.ip), s.ports]),
      [
        [['10.244.1.21'], [{ name: 'web', port: 8080, protocol: 'TCP' }]],
        [['10.244.2.22'], [{ name: 'web', port: 9376, protocol: 'TCP' }]],
      ],
    );
    // As upstream, pods that resolve no port still get a slice, one without ports.
    await waitFor('named slices', () => slicesOf('named').length === 3);
    assert.deepEqual(
      slicesOf('named')
        .map((s: any) => [s.ports?.[0]?.port ?? 'none', s.endpoints.map((e: any) => e.addresses[0]).sort()])
        .sort((a: any, b: any) => String(a[0]).localeCompare(String(b[0]))),
      [
        [8080, ['10.244.1.21']],
        [9376, ['10.244.2.22']],
        ['none', ['10.244.2.23', '10.244.2.24']],
      ],
    );
  });

  it('S5.3: a headless Service over a ReplicaSet of 3 pods on port 8080', async () => {
    const names = ['a', 'b', 'c'].map((x) => `myapp-rs-headless-${x}`);
    apply(names.map((n, i) => podYaml({ name: n, labels: { app: 'myapp-headless' }, node: i % 2 ? 'node-b' : 'node-a', ports: [{ port: 8080 }] })).join('---\n'));
    for (const [i, n] of names.entries()) await kubelet.run('default', n, `10.244.3.${31 + i}`, true);
    apply(
      `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: myapp-rs-headless\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: myapp-headless\n  template:\n    metadata:\n      labels:\n        app: myapp-headless\n    spec:\n      containers:\n      - name: app\n        image: registry.k8s.io/e2e-test-images/agnhost:2.39\n        ports:\n        - containerPort: 8080\n`,
    );
    // The ReplicaSet controller adopts matching pods; the same reference is written here in case it does not run.
    const rs = json(['get', 'rs', 'myapp-rs-headless']);
    const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'myapp-rs-headless', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true };
    for (const n of names) c.kubectl(['patch', 'pod', n, '--type=merge', '-p', JSON.stringify({ metadata: { ownerReferences: [ref] } })]);
    apply(svcYaml('myapp-svc-headless', '  clusterIP: None\n  selector:\n    app: myapp-headless\n  ports:\n  - port: 8080\n'));
    assert.match(c.kubectl(['get', 'svc', 'myapp-svc-headless']).stdout, /^myapp-svc-headless\s+ClusterIP\s+None\s+<none>\s+8080\/TCP\s/m);
    await waitFor('three endpoints', () =>
      /^myapp-svc-headless\s+10\.244\.3\.31:8080,10\.244\.3\.32:8080,10\.244\.3\.33:8080\s+\d+s$/m.test(c.kubectl(['get', 'endpoints', 'myapp-svc-headless']).stdout),
    );
    const ep = json(['get', 'endpoints', 'myapp-svc-headless']);
    assert.equal(ep.metadata.labels['service.kubernetes.io/headless'], '');
    assert.equal(slicesOf('myapp-svc-headless')[0].metadata.labels['service.kubernetes.io/headless'], '');
  });

  it('S5.2: a selector-less custom-service keeps its hand-made Endpoints, mirrored into an EndpointSlice', async () => {
    apply(
      [
        svcYaml('custom-service', '  ports:\n  - port: 80\n    targetPort: 8080\n'),
        'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: custom-service\nsubsets:\n- addresses:\n  - ip: 10.244.1.11\n  ports:\n  - port: 8080\n',
      ].join('---\n'),
    );
    assert.match(c.kubectl(['get', 'endpoints', 'custom-service']).stdout, /^custom-service\s+10\.244\.1\.11:8080\s/m);
    await waitFor('mirrored slice', () => slicesOf('custom-service').length === 1);
    const [slice] = slicesOf('custom-service');
    const ep = json(['get', 'endpoints', 'custom-service']);
    assert.match(slice.metadata.name, /^custom-service-[a-z0-9]{5}$/);
    assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
    assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Endpoints', name: 'custom-service', uid: ep.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(slice.endpoints, [{ addresses: ['10.244.1.11'], conditions: { ready: true } }]);
    assert.deepEqual(slice.ports, [{ name: '', port: 8080, protocol: 'TCP' }]);
    assert.match(c.kubectl(['get', 'endpointslices', slice.metadata.name]).stdout, /^custom-service-\w{5}\s+IPv4\s+8080\s+10\.244\.1\.11\s/m);
    await sleep(300);
    assert.equal(json(['get', 'endpoints', 'custom-service']).metadata.resourceVersion, ep.metadata.resourceVersion, 'the endpoints controller leaves it alone');

    c.kubectl(['label', 'endpoints', 'custom-service', 'endpointslice.kubernetes.io/skip-mirror=true']);
    await waitFor('mirrored slice removed', () => slicesOf('custom-service').length === 0);
  });

  it('EndpointSlices carry generated names, the owner and zones; deleting the Service removes both kinds', async () => {
    const [slice] = slicesOf('web');
    const svc = json(['get', 'svc', 'web']);
    assert.match(slice.metadata.name, /^web-[a-z0-9]{5}$/);
    assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(
      slice.endpoints.filter((e: any) => !e.conditions.terminating).map((e: any) => [e.addresses[0], e.nodeName, e.zone]),
      [
        ['10.244.1.11', 'node-a', 'zone-a'],
        ['10.244.2.13', 'node-b', 'zone-b'],
      ],
    );
    c.kubectl(['delete', 'svc', 'web']);
    await waitFor('endpoints and slices gone', () => !/^web\s/m.test(getEp()) && slicesOf('web').length === 0);
  });
});

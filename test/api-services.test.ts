/**
 * End-to-end: Service types and allocation rules of S4 (control-plane
 * parts) with the real kubectl. Loopback API only; no traffic to service
 * addresses. Address plan: services 10.96.0.0/12, node ports 30000-32767.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { removeDir, startCluster, type Cluster } from './harness.ts';

const svc = (name: string, spec: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
${spec}`;

describe('Service types and allocation', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  it('prints every type with upstream columns', () => {
    c.kubectl(['apply', '-f', '-'], {
      input: [
        svc('node-js', '  selector:\n    name: node-js\n  ports:\n  - port: 80\n'),
        svc('node-js-np', '  type: NodePort\n  selector:\n    name: node-js\n  ports:\n  - port: 80\n    nodePort: 30001\n'),
        svc('node-js-90', '  selector:\n    name: node-js\n  ports:\n  - port: 90\n    targetPort: 80\n'),
        svc('node-js-multi', '  selector:\n    name: node-js\n  ports:\n  - name: http\n    port: 80\n  - name: alt\n    port: 8888\n'),
        svc('numbers-web', '  type: LoadBalancer\n  selector:\n    name: node-js\n  ports:\n  - port: 8080\n    targetPort: 80\n'),
        svc('node-js-none', '  clusterIP: None\n  selector:\n    name: node-js\n  ports:\n  - port: 80\n'),
        svc('numbers-api', '  type: ExternalName\n  externalName: numbers.example.test\n'),
      ].join('---\n'),
    });
    const out = c.kubectl(['get', 'svc']).stdout;
    assert.match(out, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
    assert.match(out, /^node-js\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/m);
    assert.match(out, /^node-js-np\s+NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+80:30001\/TCP\s+\d+s$/m);
    assert.match(out, /^node-js-90\s+ClusterIP\s+\S+\s+<none>\s+90\/TCP\s/m);
    assert.match(out, /^node-js-multi\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP,8888\/TCP\s/m);
    assert.match(out, /^numbers-web\s+LoadBalancer\s+\S+\s+<pending>\s+8080:3\d{4}\/TCP\s/m);
    assert.match(out, /^node-js-none\s+ClusterIP\s+None\s+<none>\s+80\/TCP\s/m);
    assert.match(out, /^numbers-api\s+ExternalName\s+<none>\s+numbers\.example\.test\s+<none>\s/m);
    const ips = JSON.parse(c.kubectl(['get', 'svc', '-o', 'json']).stdout)
      .items.map((s: any) => s.spec.clusterIP)
      .filter((ip: string | undefined) => ip && ip !== 'None');
    assert.equal(new Set(ips).size, ips.length, 'cluster IPs are distinct');
  });

  it('rejects node ports out of range or in use with upstream text', () => {
    let r = c.kubectl(['apply', '-f', '-'], { input: svc('bad-range', '  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 80\n'), allowFail: true });
    assert.match(r.stderr, /The Service "bad-range" is invalid: spec.ports\[0\].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767/);
    r = c.kubectl(['apply', '-f', '-'], { input: svc('taken', '  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30001\n'), allowFail: true });
    assert.match(r.stderr, /The Service "taken" is invalid: spec.ports\[0\].nodePort: Invalid value: 30001: provided port is already allocated/);
    r = c.kubectl(['apply', '-f', '-'], { input: svc('ip-taken', '  clusterIP: 10.96.0.1\n  ports:\n  - port: 80\n'), allowFail: true });
    assert.match(r.stderr, /spec.clusterIPs: Invalid value: \[\]string\{"10.96.0.1"\}: failed to allocate IP 10.96.0.1: provided IP is already allocated/);
    assert.match(c.kubectl(['get', 'svc', 'bad-range'], { allowFail: true }).stderr, /not found/);
  });

  it('honours a requested cluster IP and releases node ports on delete and on type change', () => {
    c.kubectl(['apply', '-f', '-'], { input: svc('fixed-ip', '  clusterIP: 10.96.100.100\n  ports:\n  - port: 80\n') });
    assert.equal(c.kubectl(['get', 'svc', 'fixed-ip', '-o', 'jsonpath={.spec.clusterIP}']).stdout, '10.96.100.100');
    c.kubectl(['delete', 'svc', 'node-js-np']);
    c.kubectl(['apply', '-f', '-'], { input: svc('reuse', '  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30001\n') });
    c.kubectl(['patch', 'svc', 'reuse', '-p', '{"spec":{"type":"ClusterIP"}}']);
    const s = JSON.parse(c.kubectl(['get', 'svc', 'reuse', '-o', 'json']).stdout);
    assert.equal(s.spec.ports[0].nodePort, undefined);
    c.kubectl(['apply', '-f', '-'], { input: svc('reuse-2', '  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30001\n') });
  });

  it('describes a NodePort service like upstream', () => {
    c.kubectl(['expose', 'service', 'node-js', '--name', 'node-js-described', '--type', 'NodePort', '--port', '80']);
    const out = c.kubectl(['describe', 'service/node-js-described']).stdout;
    assert.match(out, /^Selector:\s+name=node-js$/m);
    assert.match(out, /^Type:\s+NodePort$/m);
    assert.match(out, /^IP:\s+10\.\d+\.\d+\.\d+$/m);
    assert.match(out, /^NodePort:\s+<unset>\s+3\d{4}\/TCP$/m);
    assert.match(out, /^Endpoints:\s*/m);
  });

  it('keeps cluster IPs immutable', () => {
    const r = c.kubectl(['patch', 'svc', 'fixed-ip', '-p', '{"spec":{"clusterIP":"10.96.100.101","clusterIPs":["10.96.100.101"]}}'], { allowFail: true });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /The Service "fixed-ip" is invalid: spec.clusterIPs\[0\]: Invalid value: \[\]string\{"10.96.100.101"\}: may not change once set/);
  });
});

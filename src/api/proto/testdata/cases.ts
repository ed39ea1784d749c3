/**
 * @module The kubectl commands whose protobuf bodies are the test vectors.
 * Inputs they read are written into the stub's scratch directory first, so
 * every capture sees the same bytes (the TLS pair is made fresh each time).
 */

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Case {
  /** Fixture base name: testdata/NAME.pb and NAME.json. */
  name: string;
  /** kubectl arguments after `create`. */
  args: string[];
}

export const cases: Case[] = [
  { name: 'namespace', args: ['namespace', 'x'] },
  { name: 'configmap', args: ['configmap', 'c', '--from-literal=a=b', '--from-literal=empty=', '--from-file=blob.bin=blob.bin'] },
  { name: 'secret-generic', args: ['secret', 'generic', 's', '--from-literal=k=v'] },
  { name: 'secret-docker-registry', args: ['secret', 'docker-registry', 'r', '--docker-server=registry.example.com', '--docker-username=u', '--docker-password=p'] },
  { name: 'secret-tls', args: ['secret', 'tls', 't', '--cert=tls.crt', '--key=tls.key'] },
  { name: 'deployment', args: ['deployment', 'd', '--image=nginx', '--replicas=0', '--port=80'] },
  { name: 'deployment-two-images', args: ['deployment', 'm', '--image=nginx', '--image=busybox'] },
  { name: 'service-nodeport', args: ['service', 'nodeport', 'n', '--tcp=80:8080'] },
  { name: 'service-headless', args: ['service', 'clusterip', 'h', '--clusterip=None', '--tcp=80'] },
  { name: 'service-loadbalancer', args: ['service', 'loadbalancer', 'lb', '--tcp=443:8443', '--tcp=80'] },
  { name: 'service-externalname', args: ['service', 'externalname', 'e', '--external-name=x.example.com'] },
  { name: 'quota', args: ['quota', 'q', '--hard=pods=3,requests.cpu=500m'] },
  { name: 'serviceaccount', args: ['serviceaccount', 'sa'] },
  { name: 'ingress', args: ['ingress', 'i', '--rule=a.com/p*=svc:80,tls=sec', '--class=nginx'] },
];

/** Not UTF-8, so kubectl puts it in binaryData. */
export const BLOB = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0x0a]);

export function writeInputs(dir: string): void {
  writeFileSync(join(dir, 'blob.bin'), BLOB);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=x.example.com', '-days', '1', '-keyout', 'tls.key', '-out', 'tls.crt'],
    { cwd: dir, stdio: 'ignore' },
  );
}

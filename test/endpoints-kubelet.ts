/**
 * @module The kubelet's part in the endpoints and garbage-collector
 * end-to-end tests, played through the API (there is no node agent yet):
 * Node objects that post a Ready heartbeat, pod status with an IP and a
 * Ready condition, and the end of graceful pod deletions (unless held).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../src/api/meta.ts';
import { findKind } from '../src/api/resources.ts';
import { Client, ClientError } from '../src/client/client.ts';
import { Informer } from '../src/client/informer.ts';
import type { Cluster } from './harness.ts';

const podDef = findKind('', 'Pod')!;
const nodeDef = findKind('', 'Node')!;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export class TestKubelet {
  /** While set, pods being deleted stay Terminating (the kubelet has not confirmed yet). */
  hold = false;
  readonly client: Client;
  readonly #nodes: { name: string; zone?: string }[];
  readonly #pods: Informer;
  readonly #stop = new AbortController();
  #beat?: NodeJS.Timeout;

  constructor(c: Cluster, nodes: { name: string; zone?: string }[]) {
    this.client = new Client({ server: c.server, token: c.token, caCert: readFileSync(join(c.dataDir, 'tls/ca.crt'), 'utf8'), userAgent: 'test-kubelet' });
    this.#nodes = nodes;
    this.#pods = new Informer({ client: this.client, def: podDef });
    this.#pods.on((type, pod) => {
      if (type !== 'DELETED') void this.#finish(pod);
    });
  }

  async start(): Promise<void> {
    for (const n of this.#nodes) {
      const labels: Record<string, string> = { 'kubernetes.io/hostname': n.name, ...(n.zone ? { 'topology.kubernetes.io/zone': n.zone } : {}) };
      await this.client.create(nodeDef, { apiVersion: 'v1', kind: 'Node', metadata: { name: n.name, labels } });
    }
    await this.#heartbeat();
    // The node lifecycle controller marks nodes without heartbeats NotReady after 40 s; keep them Ready.
    this.#beat = setInterval(() => void this.#heartbeat().catch(() => undefined), 5000);
    void this.#pods.start(this.#stop.signal);
    await this.#pods.waitSynced();
  }

  async stop(): Promise<void> {
    clearInterval(this.#beat);
    this.#stop.abort();
    this.client.close();
  }

  async #heartbeat(): Promise<void> {
    const t = now();
    for (const n of this.#nodes) {
      const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: t, lastTransitionTime: t };
      await this.client.patch(nodeDef, undefined, n.name, { status: { conditions: [ready] } }, 'application/merge-patch+json', 'status');
    }
  }

  /** Ends a graceful deletion, as the kubelet does once the containers stopped. */
  async #finish(pod: KubeObject): Promise<void> {
    if (this.hold || !pod.metadata.deletionTimestamp) return;
    if (!this.#nodes.some((n) => n.name === pod.spec?.nodeName)) return;
    await this.client.delete(podDef, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 }).catch((e) => {
      if (!(e instanceof ClientError && [404, 409].includes(e.code))) throw e;
    });
  }

  /** Lets held deletions finish. */
  release(): void {
    this.hold = false;
    for (const p of this.#pods.list()) void this.#finish(p);
  }

  /** Reports a pod Running with an IP, Ready or not (PATCH pods/status, merge patch). */
  async run(ns: string, name: string, ip: string, ready: boolean): Promise<KubeObject> {
    const t = now();
    const cond = (type: string, ok: boolean) => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: t });
    const status = {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: t,
      conditions: [cond('Initialized', true), cond('Ready', ready), cond('ContainersReady', ready), cond('PodScheduled', true)],
    };
    return this.client.patch(podDef, ns, name, { status }, 'application/merge-patch+json', 'status');
  }

  /** Flips the Ready condition only. */
  async setReady(ns: string, name: string, ready: boolean): Promise<KubeObject> {
    const pod = await this.client.get(podDef, ns, name);
    const t = new Date().toISOString();
    const conditions = (pod.status?.conditions ?? []).map((c: any) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: ready ? 'True' : 'False', lastTransitionTime: t } : c));
    return this.client.patch(podDef, ns, name, { status: { conditions } }, 'application/merge-patch+json', 'status');
  }
}

/** A pod manifest pinned to a node (spec.nodeName at create time, so no scheduler is involved). */
export function podYaml(o: { name: string; ns?: string; labels: Record<string, string>; node: string; ports?: { name?: string; port: number; protocol?: string }[]; hostname?: string; subdomain?: string }): string {
  const labels = Object.entries(o.labels)
    .map(([k, v]) => `    ${k}: "${v}"`)
    .join('\n');
  const ports = (o.ports ?? []).map((p) => `    - containerPort: ${p.port}\n      protocol: ${p.protocol ?? 'TCP'}${p.name ? `\n      name: ${p.name}` : ''}`).join('\n');
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${o.name}
  namespace: ${o.ns ?? 'default'}
  labels:
${labels}
spec:
  nodeName: ${o.node}${o.hostname ? `\n  hostname: ${o.hostname}` : ''}${o.subdomain ? `\n  subdomain: ${o.subdomain}` : ''}
  containers:
  - name: app
    image: registry.k8s.io/e2e-test-images/agnhost:2.39${ports ? `\n    ports:\n${ports}` : ''}
`;
}

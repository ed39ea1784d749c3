/**
 * @module The node agent: everything one node runs, wired together. Its
 * pod sandboxes (network namespaces, IPs), the container runtime, the
 * kubelet (pods → processes, status, probes), and the node's registration
 * and heartbeats. It talks to the cluster only through the HTTP API, so the
 * same agent runs in the server's process (single machine) or on its own.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import type { Client } from '../client/client.ts';
import type { EventRecorder } from '../controllers/events.ts';
import type { ResolveOptions } from './images/catalog.ts';
import type { Daemons } from './kernel.ts';
import { openSandboxManager, type NodeSandboxManager } from './network/sandbox.ts';
import type { BackoffConfig } from './runtime/backoff.ts';
import { ContainerRuntime } from './runtime/container-runtime.ts';
import { parseResolvConf } from './kubelet/dns.ts';
import { Heartbeat } from './kubelet/heartbeat.ts';
import { Kubelet } from './kubelet/kubelet.ts';
import type { NodeFacts } from './kubelet/node-object.ts';
import type { Kernel, NodeNetwork } from './types.ts';

export interface AgentOptions {
  client: Client;
  /** Events as `kubelet` from this node. */
  recorder: EventRecorder;
  node: NodeNetwork;
  kernel: Kernel;
  daemons: Daemons;
  /** This agent's own folder: ipam.json, sandboxes.json, containers.json, pods/<uid>/. */
  dataDir: string;
  /** The control-plane node carries `node-role.kubernetes.io/control-plane`. */
  controlPlane: boolean;
  clusterDns: string;
  clusterDomain: string;
  /** Image catalog options (user catalog, add-on images). */
  resolve?: ResolveOptions;
  /**
   * Starts this node's stream server (logs, exec, attach, port-forward) for the kubelet's pods
   * (`kubeletRuntimeView(kubelet)` is its PodRuntimeView) and resolves with its port, which the
   * Node object advertises in status.daemonEndpoints.kubeletEndpoint. Without it the port is 0.
   */
  streams?: (kubelet: Kubelet, signal: AbortSignal) => Promise<number>;
  /** Replaces the kubelet's restart back-off (tests). */
  backoff?: BackoffConfig;
  log: (line: string) => void;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

/** What the Node object says about this machine. Every node of an isolated cluster is this machine. */
export function nodeFacts(node: NodeNetwork, o: { controlPlane: boolean; kubeletPort: number }): NodeFacts {
  const osRelease = readText('/etc/os-release').match(/^PRETTY_NAME="?([^"\n]*)"?/m)?.[1] ?? 'Linux';
  const machine = readText('/etc/machine-id').trim() || 'nanokube';
  return {
    name: node.nodeName,
    internalIP: node.nodeIP,
    podCidr: node.podCidr,
    cpus: availableParallelism(),
    memoryBytes: totalmem(),
    maxPods: 110,
    kubeletPort: o.kubeletPort,
    kernelVersion: release(),
    osImage: osRelease,
    arch: ARCH[process.arch] ?? process.arch,
    controlPlane: o.controlPlane,
    bootID: readText('/proc/sys/kernel/random/boot_id').trim(),
    // One machine, several nodes: each gets its own id, derived from the machine's.
    machineID: createHash('sha256').update(`${machine}/${node.nodeName}`).digest('hex').slice(0, 32),
  };
}

export class NodeAgent {
  readonly #o: AgentOptions;
  readonly runtime = new ContainerRuntime();
  #sandboxes: NodeSandboxManager | undefined;
  #kubelet: Kubelet | undefined;
  #heartbeat: Heartbeat | undefined;

  constructor(o: AgentOptions) {
    this.#o = o;
  }

  get nodeName(): string {
    return this.#o.node.nodeName;
  }

  /** The kubelet, once started (the stream server's PodRuntimeView is built from it: kubeletRuntimeView). */
  get kubelet(): Kubelet | undefined {
    return this.#kubelet;
  }

  ready(): boolean {
    return (this.#heartbeat?.ready() ?? false) && (this.#kubelet?.ready() ?? false);
  }

  /** Opens the sandboxes (adopting a previous run's), starts the kubelet, registers the node. */
  async start(signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const t0 = performance.now();
    this.#sandboxes = await openSandboxManager({ kernel: o.kernel, daemons: o.daemons, node: o.node, dataDir: o.dataDir });
    this.#kubelet = new Kubelet({
      client: o.client,
      recorder: o.recorder,
      node: o.node,
      sandboxes: this.#sandboxes,
      runtime: this.runtime,
      kernel: o.kernel,
      dataDir: o.dataDir,
      dns: { clusterDns: o.clusterDns ? [o.clusterDns] : [], domain: o.clusterDomain, host: parseResolvConf(readText('/etc/resolv.conf')) },
      resolve: o.resolve ?? {},
      facts: { cpus: availableParallelism(), memoryBytes: totalmem() },
      backoff: o.backoff,
      log: o.log,
    });
    const kubeletPort = o.streams ? await o.streams(this.#kubelet, signal) : 0;
    this.#heartbeat = new Heartbeat({ client: o.client, facts: nodeFacts(o.node, { controlPlane: o.controlPlane, kubeletPort }), log: o.log });
    // The kubelet syncs its pods before the node says Ready, so nothing is scheduled onto a node that is still adopting.
    await this.#kubelet.start(signal);
    await this.#heartbeat.register();
    this.#heartbeat.start(signal);
    o.log(`agent: node ${o.node.nodeName} ready ip=${o.node.nodeIP} podCIDR=${o.node.podCidr} took=${((performance.now() - t0) / 1000).toFixed(3)}s`);
  }

  /** Stops every pod (grace period capped at maxGraceSeconds) and removes every sandbox. */
  async shutdown(maxGraceSeconds: number): Promise<void> {
    const t0 = performance.now();
    if (this.#kubelet) await this.#kubelet.shutdown(maxGraceSeconds);
    else await this.#sandboxes?.removeAll();
    await this.runtime.stopAll(0);
    this.#o.log(`agent: node ${this.#o.node.nodeName} stopped took=${((performance.now() - t0) / 1000).toFixed(3)}s`);
  }
}

/**
 * @module The contracts between the node agent's parts: the kernel command
 * runner (every `ip`, `nft`, `unshare`, `nsenter` call goes through it so
 * tests can fake it), the pod sandbox (network namespace, veth, IP, DNS
 * files, the pause process holding the namespaces), and the container
 * runtime that starts processes inside a sandbox.
 */
import type { ChildProcess } from 'node:child_process';

/** Runs host commands. The real one execs; tests record the exact argv. */
export interface Kernel {
  /** Runs argv to completion; rejects with KernelError on a non-zero exit (stderr in the message). */
  run(argv: string[], opts?: { input?: string; allowFail?: boolean }): Promise<{ stdout: string; stderr: string; code: number }>;
}

export class KernelError extends Error {
  readonly code = 'KERNEL';
  readonly argv: string[];
  readonly exitCode: number;
  readonly stderr: string;
  constructor(argv: string[], exitCode: number, stderr: string) {
    super(`${argv.join(' ')}: exit ${exitCode}: ${stderr.trim()}`);
    this.name = 'KernelError';
    this.argv = argv;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** What the node's network looks like to the rest of the agent. */
export interface NodeNetwork {
  /** The node's name and its InternalIP (the address NodePorts answer on). */
  nodeName: string;
  nodeIP: string;
  /** The node's pod CIDR (a /24 of the cluster CIDR) and its bridge gateway (first address). */
  podCidr: string;
  gateway: string;
  /** The network namespace of the node itself ('' in host mode: the host's). */
  netns: string;
  /** Argv prefix that runs a host command in the node's namespace (`nanokube node exec`). */
  execPrefix(): string[];
}

export interface DnsConfig {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export interface SandboxSpec {
  namespace: string;
  name: string;
  uid: string;
  hostname: string;
  /** /etc/hosts entries beyond the defaults (hostAliases). */
  hostAliases: { ip: string; hostnames: string[] }[];
  /** Resolved from dnsPolicy/dnsConfig by the kubelet; undefined keeps the node's resolv.conf. */
  dns?: DnsConfig;
  hostNetwork: boolean;
}

export interface Sandbox {
  /** Stable id derived from the pod uid; names the netns (`nk-<id>`). */
  id: string;
  podIP: string;
  /** PID of the pause process that holds the pod's net, UTS and mount namespaces. */
  pausePid: number;
  /** Argv prefix that runs a command inside the pod's namespaces (nsenter into the pause process). */
  enterPrefix(): string[];
  /** Folder for this pod's files (volumes, logs, etc/resolv.conf, etc/hosts). */
  dir: string;
}

export interface SandboxManager {
  /** Creates (or adopts, after an agent restart) the sandbox of a pod; the IP survives restarts. */
  ensure(spec: SandboxSpec): Promise<Sandbox>;
  /** Removes the sandbox: kills the pause process, deletes the netns and veth, releases the IP. */
  remove(uid: string): Promise<void>;
  /** Sandboxes found on this node (for adoption and garbage collection after a crash). */
  list(): Promise<{ uid: string; podIP: string }[]>;
}

export interface ContainerProcess {
  child: ChildProcess;
  pid: number;
}

/**
 * @module The network half of the kubelet's prober, run as a child process
 * inside a node's network namespace (`ip netns exec <node> node
 * prober-child.ts`): the agent lives in the host's namespace, which has no
 * route to the pod network in isolated mode, while the kubelet's httpGet
 * and tcpSocket probes come from the node. Requests and answers are JSON
 * lines on stdin/stdout; the child exits when stdin closes (the agent is
 * gone), so it never outlives its agent.
 */
import { createInterface } from 'node:readline';
import { runProbeCheck, type ProbeHandler } from '../runtime/probe-checks.ts';

interface ProbeRequest {
  id: number;
  handler: ProbeHandler;
  podIP: string;
  ports?: { name?: string; containerPort: number }[];
  timeoutMs: number;
}

process.stdout.on('error', () => process.exit(0));
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let req: ProbeRequest;
  try {
    req = JSON.parse(line) as ProbeRequest;
  } catch {
    return;
  }
  // Exec probes never come here: they run in the pod, started by the agent.
  const handler: ProbeHandler = { httpGet: req.handler.httpGet, tcpSocket: req.handler.tcpSocket, grpc: req.handler.grpc };
  void runProbeCheck(handler, { podIP: req.podIP, ports: req.ports, sandbox: { enterPrefix: () => [] } }, req.timeoutMs).then((r) => {
    process.stdout.write(JSON.stringify({ id: req.id, ...r }) + '\n');
  });
});
lines.on('close', () => process.exit(0));

/**
 * @module The spawner's child: runs the agent's host commands (`ip`, `nft`,
 * `nsenter` ...) and starts its daemons (pause processes) with the real
 * kernel runner, for requests that arrive as JSON lines on stdin, answering
 * on stdout. It exists because spawn() forks the calling process, which
 * costs time in proportion to its memory: from this small process a spawn
 * is several times cheaper than from the server, and it no longer stalls
 * the server's event loop. It exits when stdin closes (its agent is gone);
 * the daemons it started run in their own sessions and outlive it.
 */
import { createInterface } from 'node:readline';
import { realDaemons, realKernel } from './kernel.ts';
import { KernelError } from './types.ts';

interface Request {
  id: number;
  op: 'run' | 'start';
  argv: string[];
  input?: string;
  readyComm?: string;
  timeoutMs?: number;
}

const kernel = realKernel();
const daemons = realDaemons();
const reply = (msg: object) => process.stdout.write(JSON.stringify(msg) + '\n');
process.stdout.on('error', () => process.exit(0));

async function handle(req: Request): Promise<void> {
  try {
    if (req.op === 'run') {
      const r = await kernel.run(req.argv, { input: req.input, allowFail: true });
      reply({ id: req.id, ...r });
    } else {
      const pid = await daemons.start(req.argv, { readyComm: req.readyComm ?? '', timeoutMs: req.timeoutMs });
      reply({ id: req.id, pid });
    }
  } catch (e) {
    const k = e instanceof KernelError ? e : undefined;
    reply({ id: req.id, error: { code: k?.exitCode ?? 1, stderr: k?.stderr ?? (e as Error).message } });
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let req: Request;
  try {
    req = JSON.parse(line) as Request;
  } catch {
    return;
  }
  void handle(req);
});
lines.on('close', () => process.exit(0));

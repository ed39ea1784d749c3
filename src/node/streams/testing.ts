/**
 * @module Process helpers for the stream tests: run a command without
 * blocking the event loop (the agent's stream server lives in the test
 * process), or start one and wait for text in its output. Every process is
 * tracked and ended by PID in stopAll(), also when a test fails. And a SPDY
 * client to drive the server side of port-forward.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { controlFrame, dataFrame, FLAG_FIN, FrameParser, HeaderCodec, SYN_REPLY, SYN_STREAM, u32s, type Frame } from './spdy-frames.ts';
import { SpdyConnection } from './spdy.ts';

export interface Finished {
  stdout: string;
  stderr: string;
  status: number | null;
}

export interface Running {
  child: ChildProcess;
  /** Everything written so far (stdout and stderr together, in arrival order). */
  output(): string;
  stdout(): string;
  /** Resolves when the output matches; rejects after timeoutMs or when the process ends first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  write(text: string): void;
  /** Resolves with the exit status (killing it with SIGKILL after timeoutMs). */
  exited(timeoutMs?: number): Promise<Finished>;
}

const started = new Set<ChildProcess>();

export function start(argv: string[], opts: { env?: Record<string, string>; input?: string } = {}): Running {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  started.add(child);
  let all = '';
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const poke = () => waiters.forEach((w) => w());
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
    all += d;
    poke();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d;
    all += d;
    poke();
  });
  child.stdin!.on('error', () => {});
  const exit = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => {
      started.delete(child);
      poke();
      resolve({ stdout: out, stderr: err, status: code ?? (signal ? 128 : null) });
    });
  });
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  return {
    child,
    output: () => all,
    stdout: () => out,
    write: (text) => void child.stdin!.write(text),
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = all.match(pattern);
          if (m) return done(() => resolve(m));
          if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`process ended before ${pattern}:\n${all}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}:\n${all}`))), timeoutMs);
        const done = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
    exited(timeoutMs = 30_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      return exit.finally(() => clearTimeout(timer));
    },
  };
}

/** Runs a command to the end. */
export function run(argv: string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<Finished> {
  return start(argv, { env: opts.env, input: opts.input ?? '' }).exited(opts.timeoutMs);
}

/** Runs a shell command line under script(1), so that it has a terminal; the returned process's stdin feeds that terminal. */
export function startOnTerminal(commandLine: string, env?: Record<string, string>): Running {
  return start(['script', '-q', '-f', '-e', '-c', commandLine, '/dev/null'], { env });
}

/** Ends every process started here that is still running (by PID) and waits for them. */
export async function stopAll(): Promise<void> {
  const waits = [...started].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('close', r))));
  for (const c of started) c.kill('SIGKILL');
  await Promise.all(waits);
}

/** The client side of a SPDY connection, enough to drive SpdyConnection in tests as kubectl would. */
export class SpdyTestClient {
  readonly conn: SpdyConnection;
  /** Frames the server sent, SYN_REPLY headers decompressed in `replies`. */
  readonly frames: Frame[] = [];
  readonly replies = new Map<number, Record<string, string>>();
  closed = false;
  readonly #codec = new HeaderCodec();
  readonly #parser = new FrameParser();
  #inflating: Promise<void> = Promise.resolve();

  constructor() {
    this.conn = new SpdyConnection({
      write: (b) => {
        for (const f of this.#parser.push(b)) {
          this.frames.push(f);
          if (f.control && f.type === SYN_REPLY) {
            const id = f.payload.readUInt32BE(0);
            this.#inflating = this.#inflating.then(async () => void this.replies.set(id, await this.#codec.decompress(f.payload.subarray(4))));
          }
        }
      },
      congested: () => false,
      onDrain: (cb) => cb(),
      close: () => (this.closed = true),
    });
  }

  async open(id: number, headers: Record<string, string>, fin = false): Promise<void> {
    const block = await this.#codec.compress(headers);
    this.conn.receive(controlFrame(SYN_STREAM, fin ? FLAG_FIN : 0, Buffer.concat([u32s(id, 0), Buffer.from([0, 0]), block])));
  }

  send(id: number, data: string | Buffer, fin = false): void {
    this.conn.receive(dataFrame(id, fin ? FLAG_FIN : 0, Buffer.from(data)));
  }

  /** The data the server sent on a stream, and whether it sent FIN. */
  received(id: number): { data: string; fin: boolean } {
    let data = '';
    let fin = false;
    for (const f of this.frames) {
      if (f.control || f.streamId !== id) continue;
      data += f.data.toString();
      if (f.flags & FLAG_FIN) fin = true;
    }
    return { data, fin };
  }

  async until(cond: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`condition not met; frames: ${JSON.stringify(this.frames.map((f) => (f.control ? { type: f.type } : { id: f.streamId, data: f.data.toString(), flags: f.flags })))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await this.#inflating;
  }
}

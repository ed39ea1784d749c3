/**
 * @module The container processes an agent started, recorded in its data
 * dir (`containers.json`: pod uid → container name → PID and the process's
 * start time), so that an agent restarted after a crash ends what the crash
 * left behind before it starts those containers again. Their output pipes
 * went with the old agent, so they cannot be adopted; a PID is only
 * signalled when its start time still matches (PIDs are reused).
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { readJson, writeJsonAtomic } from '../network/state.ts';

interface Entry {
  pid: number;
  /** /proc/PID/stat field 22, in clock ticks since boot. */
  start: string;
}

type Table = Record<string, Record<string, Entry>>;

/** Field 22 of /proc/PID/stat (after the parenthesised comm, which may hold spaces), or '' when gone. */
export async function processStart(pid: number): Promise<string> {
  const st = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!st) return '';
  const fields = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' ? '' : (fields[19] ?? '');
}

export class ContainerPids {
  readonly #file: string;
  readonly #table: Table;
  #saving: Promise<void> = Promise.resolve();

  private constructor(file: string, table: Table) {
    this.#file = file;
    this.#table = table;
  }

  static async open(file: string): Promise<ContainerPids> {
    return new ContainerPids(file, (await readJson<Table>(file).catch(() => undefined)) ?? {});
  }

  #save(): Promise<void> {
    const snapshot = structuredClone(this.#table);
    this.#saving = this.#saving.then(() => writeJsonAtomic(this.#file, snapshot)).catch(() => {});
    return this.#saving;
  }

  async record(uid: string, container: string, pid: number): Promise<void> {
    const start = await processStart(pid);
    if (!start) return;
    (this.#table[uid] ??= {})[container] = { pid, start };
    await this.#save();
  }

  async forget(uid: string, container?: string): Promise<void> {
    if (!this.#table[uid]) return;
    if (container) delete this.#table[uid][container];
    if (!container || Object.keys(this.#table[uid]).length === 0) delete this.#table[uid];
    await this.#save();
  }

  /** Pod uids with recorded processes. */
  pods(): string[] {
    return Object.keys(this.#table);
  }

  /**
   * Ends (SIGKILL to the process group) the recorded processes of a pod that are still the same
   * processes, then forgets them. Returns how many were running.
   */
  async killLeftovers(uid: string): Promise<number> {
    let killed = 0;
    for (const e of Object.values(this.#table[uid] ?? {})) {
      if ((await processStart(e.pid)) !== e.start) continue;
      try {
        process.kill(-e.pid, 'SIGKILL');
      } catch {
        try {
          process.kill(e.pid, 'SIGKILL');
        } catch {}
      }
      killed++;
      for (let i = 0; i < 500 && (await processStart(e.pid)) === e.start; i++) await sleep(4);
    }
    await this.forget(uid);
    return killed;
  }
}

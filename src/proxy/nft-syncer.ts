/**
 * @module The nftables mode's syncer: applies each ProxyState with one
 * `nft -f -` transaction run in the node's network namespace. The first
 * sync, and the first after a failure, rewrites the whole table; the others
 * change only what differs from the last state applied (nothing at all when
 * nothing did), as kube-proxy's nftables proxier does with needFullSync.
 * It remembers which unclaimed hairpin elements its incremental
 * transactions left in the table (see incrementalUpdate). A large first
 * load into a namespace without the table goes to several nft processes at
 * once (loadParts), through files: each part is written while nft parses
 * the one before.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kernel } from '../node/types.ts';
import { fullRuleset, incrementalUpdate, loadParts, ruleCount, type NftOptions } from './nftables.ts';
import { DEFAULT_TABLE } from './nftables-rules.ts';
import type { ProxyState, ProxySyncer, SyncResult } from './types.ts';

export interface NftablesSyncerOptions {
  kernel: Kernel;
  /** Runs a host command in the node's network namespace, e.g. ['ip', 'netns', 'exec', 'nk-R-n0']; [] for the host. */
  execPrefix: string[];
  /** Table name (family ip), default "nanokube". */
  table?: string;
  log: (line: string) => void;
  /**
   * nft processes for a first load into a namespace without the table (default: the CPUs + 1, at
   * most 4: one more than the CPUs lets a part parse while another commits; 1: one transaction
   * always), from `parallelFrom` service ports on (default 1,000).
   */
  parallel?: number;
  parallelFrom?: number;
}

/** nft echoes each offending line of its input: keep log lines readable after a bad 20 MB transaction. */
const MAX_LOGGED = 400;

export class NftablesSyncer implements ProxySyncer {
  readonly mode = 'nftables' as const;
  readonly #o: NftablesSyncerOptions;
  readonly #nft: NftOptions;
  /** The state the kernel's table matches; undefined before the first sync and after a failure. */
  #applied: ProxyState | undefined;
  /** Hairpin elements in the table that no port of #applied claims. */
  #stale = new Set<string>();

  constructor(o: NftablesSyncerOptions) {
    this.#o = o;
    this.#nft = { table: o.table ?? DEFAULT_TABLE };
  }

  async sync(state: ProxyState): Promise<SyncResult> {
    const prev = this.#applied;
    // Until this transaction succeeds the table matches neither state: a failure leaves a full rewrite to the next sync.
    this.#applied = undefined;
    let full = prev === undefined;
    let stale = new Set<string>();
    try {
      const parts = this.#o.parallel ?? Math.min(4, availableParallelism() + 1);
      let inParts = false;
      if (prev === undefined && parts > 1 && state.services.length >= (this.#o.parallelFrom ?? 1000)) {
        // nft answers while the rules are compiled.
        const exists = this.#tableExists();
        ruleCount(state, this.#nft);
        inParts = !(await exists);
      }
      if (inParts) await this.#loadInParts(state, parts);
      else {
        let text: string | undefined;
        if (prev === undefined) text = fullRuleset(state, this.#nft);
        else ({ text, stale } = incrementalUpdate(prev, state, this.#nft, this.#stale));
        // An incremental change of node addresses or CIDRs comes back as the full ruleset.
        full ||= text?.startsWith('add table ') ?? false;
        if (text !== undefined) await this.#o.kernel.run([...this.#o.execPrefix, 'nft', '-f', '-'], { input: text });
      }
    } catch (e) {
      const msg = (e as Error).message;
      this.#o.log(`nftables: sync failed (full=${full}), the next sync rewrites the table: ${msg.length > MAX_LOGGED ? `${msg.slice(0, MAX_LOGGED)}...` : msg}`);
      throw e;
    }
    this.#applied = state;
    this.#stale = stale;
    return { full, rules: ruleCount(state, this.#nft) };
  }

  /** Whether the namespace has the table (in doubt: yes, so that the load replaces it atomically). */
  async #tableExists(): Promise<boolean> {
    const r = await this.#o.kernel.run([...this.#o.execPrefix, 'nft', 'list', 'tables', 'ip'], { allowFail: true });
    return r.code !== 0 || r.stdout.split('\n').some((l) => l.trim() === `table ip ${this.#nft.table}`);
  }

  /**
   * The table in `n` transactions at once. Files, not stdin: a pipe takes 64 KiB while the next part
   * is being made, a file lets nft read the whole part. A failed part fails the sync; the table exists
   * then, so the next sync replaces it in one transaction.
   */
  async #loadInParts(state: ProxyState, n: number): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'nk-nft-'));
    try {
      const runs: Promise<unknown>[] = [];
      let i = 0;
      for (const text of loadParts(state, this.#nft, n)) {
        const file = join(dir, `part-${i++}.nft`);
        writeFileSync(file, text);
        runs.push(this.#o.kernel.run([...this.#o.execPrefix, 'nft', '-f', file]));
      }
      const failed = (await Promise.allSettled(runs)).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Deletes the table (missing already is fine: nothing was programmed, or someone removed it). */
  async close(): Promise<void> {
    this.#applied = undefined;
    this.#stale = new Set();
    await this.#o.kernel.run([...this.#o.execPrefix, 'nft', 'delete', 'table', 'ip', this.#nft.table!], { allowFail: true });
  }
}

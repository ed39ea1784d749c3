/**
 * @module Picks the proxy mode's syncer: nftables (the default) where the
 * machine has `nft`, else userspace, with a log line saying so.
 */
import type { Kernel } from '../node/types.ts';
import { NftablesSyncer } from './nft-syncer.ts';
import type { ProxySyncer } from './types.ts';
import { UserspaceSyncer } from './userspace/userspace-syncer.ts';

export interface SyncerOptions {
  kernel: Kernel;
  /** Runs a host command in the node's network namespace. */
  execPrefix: string[];
  log: (line: string) => void;
}

/** Whether nftables mode can run here (the `nft` tool answers). */
export async function nftablesAvailable(kernel: Kernel): Promise<boolean> {
  try {
    return (await kernel.run(['nft', '--version'], { allowFail: true })).code === 0;
  } catch {
    return false;
  }
}

export function newSyncer(mode: 'nftables' | 'userspace', o: SyncerOptions): ProxySyncer {
  return mode === 'nftables' ? new NftablesSyncer({ kernel: o.kernel, execPrefix: o.execPrefix, log: o.log }) : new UserspaceSyncer({ execPrefix: o.execPrefix, log: o.log });
}

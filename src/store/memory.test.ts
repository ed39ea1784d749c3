/**
 * @module Runs the store contract against MemoryStore, once with the default history page
 * and once with a tiny one so that every watch replays history across several pages.
 */
import { storeContract } from './contract.ts';
import { MemoryStore } from './memory.ts';

storeContract('memory', async () => new MemoryStore());
storeContract('memory, history pages of 3', async () => new MemoryStore({ historyPage: 3 }));

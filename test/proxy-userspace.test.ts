/**
 * The shared proxy suite (proxy-suite.ts) in userspace mode (S9.2: every
 * scenario behaves the same). Address plan: see proxy-suite.ts.
 */
import { proxySuite } from './proxy-suite.ts';

proxySuite('userspace');

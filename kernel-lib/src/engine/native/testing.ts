import { nativeStatus } from './addon';
import type { EngineChoice } from '../contract';

/** For this folder's tests: max |a - b| relative to max |b|, the tolerance measure of every comparison here. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/**
 * node:test options for the tests that need the native addon, and for those that check how the library does
 * without it: each kind runs where it can and is reported as skipped, with the reason, where it cannot.
 */
export const withAddon: { skip: string | false } = { skip: nativeStatus().available ? false : nativeStatus().detail };
export const withoutAddon: { skip: string | false } = {
  skip: nativeStatus().available ? 'the addon is built here (CHARRNN_NATIVE=0 runs this test)' : false,
};

/** The options of a test that runs on `engine`: the native engine's need the addon. */
export function onEngine(engine: EngineChoice): { skip: string | false } {
  return engine === 'native' ? withAddon : { skip: false };
}

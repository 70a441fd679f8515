/**
 * A small seeded random number generator (mulberry32) whose whole state is one 32-bit integer,
 * so a checkpoint can save it and a resumed run draws exactly the same numbers.
 * Hand-written because TF.js's seeded ops take a seed per call but expose no resumable stream.
 */
export class Rng {
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A seed for one call of a seeded TF.js op (tf.randomUniform(..., seed)). */
  nextSeed(): number {
    return this.nextUint32();
  }
}

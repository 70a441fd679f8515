/**
 * Numbers for tables people read: `console.table(rounded(rows))` prints 1.093, not the 1.0929070115089417 that
 * breaks a notebook's layout.
 */

/**
 * `value` with every fractional number in it (in arrays and plain objects, at any depth) rounded to `significant`
 * digits, but never into its integer part (12345.678 becomes 12346); whole numbers, such as counts and parameters,
 * and everything else are kept as they are.
 */
export function rounded<T>(value: T, significant = 4): T {
  if (typeof value === 'number') return roundNumber(value, significant) as T;
  if (Array.isArray(value)) return value.map((v) => rounded(v, significant)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v, significant)])) as T;
  }
  return value;
}

function roundNumber(x: number, significant: number): number {
  if (Number.isInteger(x) || !Number.isFinite(x)) return x;
  const decimals = significant - 1 - Math.floor(Math.log10(Math.abs(x)));
  return Number(x.toFixed(Math.max(0, Math.min(20, decimals))));
}

import { firstArgmax } from './numeric.js';
import type { ProbMatrix } from './types.js';

/** first_argmax of every row: the suggested (predicted) label of each example. */
export function rowArgmax(pp: ProbMatrix): Int32Array {
  const { data, n, k } = pp;
  const out = new Int32Array(n);
  for (let i = 0, off = 0; i < n; i++, off += k) out[i] = firstArgmax(data, off, k);
  return out;
}

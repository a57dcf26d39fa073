/**
 * The `accuracy` block of label-issues (api.md §4) from merged integer counts, for the
 * chunked engine: core `referenceAccuracy` needs N-long arrays, but every estimator is a
 * ratio of counts (corrected-accuracy.md §3, streaming.md §3/§6). The estimated-true part
 * is the core's own `estimatedTrueFromCounts` with the core's `invertNoiseMatrix`.
 * TODO(core): replace with a counts-based export of src/core/accuracy.ts when it exists.
 */
import { estimatedTrueFromCounts } from '../../core/accuracy.js';
import { invertNoiseMatrix } from '../../core/linalg.js';
import type { Matrix } from '../../core/types.js';

export interface AccuracyCounts {
  /** n[a][i] = #{suggested = a, given = i}, row-major K×K. */
  confusion: Float64Array;
  n: number;
  k: number;
  numFlagged: number;
  /** Flagged rows whose suggested label equals the given label. */
  hitsGivenOnFlagged: number;
  noiseMatrix: Matrix | null;
}

export function referenceAccuracyFromCounts(c: AccuracyCounts): {
  givenLabels: number;
  pruned: number | null;
  corrected: number;
  estimatedTrue: number | null;
  estimatedTrueRaw: number | null;
  estimatedTrueSe: number | null;
  numLabelIssues: number;
  nullReasons: Record<string, string>;
} {
  const { confusion, n, k, numFlagged } = c;
  let hitsGiven = 0;
  for (let a = 0; a < k; a++) hitsGiven += confusion[a * k + a]!;
  const nullReasons: Record<string, string> = {};
  const pruned = numFlagged === n ? null : (hitsGiven - c.hitsGivenOnFlagged) / (n - numFlagged);
  if (pruned === null) nullReasons.pruned = 'all_examples_flagged';
  // the reference model's prediction is the suggested label: every flagged row is a hit
  const corrected = (hitsGiven - c.hitsGivenOnFlagged + numFlagged) / n;
  let estimatedTrue: number | null = null;
  let estimatedTrueRaw: number | null = null;
  let estimatedTrueSe: number | null = null;
  const inv = c.noiseMatrix === null ? null : invertNoiseMatrix(c.noiseMatrix);
  if (inv === null) {
    nullReasons.estimated_true = 'noise_matrix_unavailable';
  } else if (inv.ok) {
    const e = estimatedTrueFromCounts(confusion, inv.inverse, n);
    estimatedTrue = e.clipped;
    estimatedTrueRaw = e.raw;
    estimatedTrueSe = e.se;
  } else {
    nullReasons.estimated_true = inv.reason;
  }
  return {
    givenLabels: hitsGiven / n,
    pruned,
    corrected,
    estimatedTrue,
    estimatedTrueRaw,
    estimatedTrueSe,
    numLabelIssues: numFlagged,
    nullReasons,
  };
}

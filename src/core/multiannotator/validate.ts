/**
 * Input checks of the multi-annotator entry points (spec Part B, B2). Strings, non-integer
 * values and ragged rows are rejected by the io decoders before the arrays get here; this
 * module checks what is left on the typed arrays, in cleanlab's order.
 */
import { InputError } from '../errors.js';
import type { ProbMatrix } from '../types.js';
import { MISSING, type AnnotatorMatrix } from './types.js';

const FIELD = 'labels_multiannotator';

function listOf(indices: number[], max = 10): string {
  const shown = indices.slice(0, max).join(', ');
  return indices.length > max ? `${shown}, … (${indices.length} in total)` : shown;
}

export interface ValidateOptions {
  /** ActiveLab accepts data where every example has exactly one annotation. */
  allowSingleLabel?: boolean;
  /** Annotator ids for messages (default: column indices). */
  annotatorIds?: readonly (string | number)[];
}

/**
 * B2 checks 3–8. Returns the warnings cleanlab would emit (no example where two annotators
 * agree).
 */
export function validateMultiannotator(
  labels: AnnotatorMatrix,
  pp: ProbMatrix | undefined,
  opts: ValidateOptions = {},
): string[] {
  const { data, n, m } = labels;
  const warnings: string[] = [];
  if (n === 0) throw new InputError(FIELD, `${FIELD} is empty; it needs at least one example (row)`);
  // Values: non-negative class ids or MISSING.
  for (let idx = 0; idx < data.length; idx++) {
    const v = data[idx]!;
    if (v < 0 && v !== MISSING) {
      const i = Math.floor(idx / m);
      const a = idx % m;
      throw new InputError(FIELD, `${FIELD}[${i}][${a}] is ${v}; labels must be non-negative integer class ids (missing annotations are null, or -1 in .npy)`, { row: i, column: a });
    }
  }
  const emptyRows: number[] = [];
  for (let i = 0; i < n; i++) {
    let any = false;
    for (let a = 0; a < m; a++) if (data[i * m + a]! !== MISSING) { any = true; break; }
    if (!any) emptyRows.push(i);
  }
  if (emptyRows.length > 0) {
    throw new InputError(FIELD, `${FIELD} has examples that no annotator labelled; every example needs at least one label. Rows without labels: ${listOf(emptyRows)}`, { row: emptyRows[0]! });
  }
  const emptyCols: number[] = [];
  for (let a = 0; a < m; a++) {
    let any = false;
    for (let i = 0; i < n; i++) if (data[i * m + a]! !== MISSING) { any = true; break; }
    if (!any) emptyCols.push(a);
  }
  if (emptyCols.length > 0) {
    const ids = emptyCols.map((a) => String(opts.annotatorIds?.[a] ?? a));
    throw new InputError(FIELD, `${FIELD} has annotators who labelled no example; drop these columns: annotators ${ids.join(', ')}`, { path: `${FIELD}[*][${emptyCols[0]}]` });
  }
  if (m <= 1 && !opts.allowSingleLabel) {
    throw new InputError(FIELD, `${FIELD} has ${m} annotator column; multi-annotator consensus needs at least 2 annotators. For one label per example use the single-label label-issues endpoint.`);
  }
  if (!opts.allowSingleLabel) {
    let multi = false;
    for (let i = 0; i < n && !multi; i++) {
      let c = 0;
      for (let a = 0; a < m; a++) if (data[i * m + a]! !== MISSING) c++;
      if (c > 1) multi = true;
    }
    if (!multi) {
      throw new InputError(FIELD, `Every example in ${FIELD} has exactly one annotation; collapse the labels into one label per example and use the single-label label-issues endpoint instead`);
    }
  }
  let maxLabel = -1;
  for (const v of data) if (v > maxLabel) maxLabel = v;
  if (pp !== undefined) {
    if (pp.n !== n) {
      throw new InputError('pred_probs', `pred_probs has ${pp.n} rows but ${FIELD} has ${n}; they must have the same number of examples`);
    }
    if (pp.k < maxLabel + 1) {
      throw new InputError('pred_probs', `pred_probs has ${pp.k} columns but ${FIELD} uses class ${maxLabel}; pred_probs needs at least ${maxLabel + 1} columns (one per class)`);
    }
  }
  // Warning: no example where two annotators agree.
  let agreeing = false;
  for (let i = 0; i < n && !agreeing; i++) {
    for (let a = 0; a < m && !agreeing; a++) {
      const va = data[i * m + a]!;
      if (va === MISSING) continue;
      for (let b = a + 1; b < m; b++) {
        if (data[i * m + b]! === va) { agreeing = true; break; }
      }
    }
  }
  if (!agreeing) {
    warnings.push('UserWarning: Annotators do not agree on any example. Check input data.');
  }
  return warnings;
}

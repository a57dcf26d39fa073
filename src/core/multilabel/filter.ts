/**
 * Multi-label `find_label_issues` and `num_label_issues` (spec A5): the core's
 * single-label `findLabelIssues` run on every class's one-vs-rest binary problem, then
 * the union over classes; ranking by the multi-label quality scores (A6).
 */
import { argsortBy, type TieOrder } from '../argsort.js';
import { InputError } from '../errors.js';
import { findLabelIssues, type FindLabelIssuesOptions } from '../filter.js';
import { assertRankBy, orderLabelIssues } from '../rank.js';
import { FILTER_BY_VALUES, isOneOf, type FilterBy, type Matrix, type ProbMatrix, type RankBy } from '../types.js';
import { binaryProblem, subDataset } from './binary.js';
import { flattenMultilabelConfidentJoint } from './count.js';
import { DEFAULT_AGGREGATOR, scoresOneHot } from './rank.js';
import { oneHot, type LabelLists } from './types.js';
import { assertBinaryProblemValid, assertValidMultilabelInputs } from './validate.js';

export const OLD_CONFIDENT_JOINT_WARNING =
  'The new recommended format for `confident_joint` in multi_label settings is (num_classes,2,2) as output by compute_confident_joint(...,multi_label=True). Your K x K confident_joint in the old format is being ignored.';

export interface MultilabelFindOptions {
  filterBy?: FilterBy;
  fracNoise?: number;
  /** Per class; applied to the binary class "absent" ([r[c], 0], quirk A5.1). */
  numToRemovePerClass?: number[];
  minExamplesPerClass?: number;
  /** K×2×2 (per class, used as given by the prune methods); a K×K matrix is ignored with a warning. */
  confidentJoint?: Matrix[] | Matrix;
  /** When set, `ranked` holds the flagged rows ordered by the multi-label score (worst first). */
  returnIndicesRankedBy?: RankBy;
  /** cleanlab's rank_by_kwargs (base scorer only). */
  rankByKwargs?: { adjustPredProbs?: boolean };
  /** Tie rule of every sort (default 'stable'). */
  tieOrder?: TieOrder;
  /**
   * Run the top-level input check of `filter.find_label_issues(..., multi_label=True)`
   * (A1; default true). `multilabel_classification.filter.find_label_issues` skips it.
   */
  validate?: boolean;
}

export interface MultilabelFindResult {
  /** Example n flagged in any class. */
  mask: Uint8Array;
  /** Flagged rows, increasing. */
  indices: Int32Array;
  /** Flagged rows ordered by the ranking (only with returnIndicesRankedBy). */
  ranked: Int32Array | undefined;
  /**
   * Per class, the rows flagged in its binary problem (increasing). Empty arrays for
   * low_self_confidence / low_normalized_margin, which flag rows, not classes.
   */
  perClass: Int32Array[];
  warnings: string[];
}

function isThreeD(cj: Matrix[] | Matrix): cj is Matrix[] {
  return cj.length > 0 && Array.isArray(cj[0]) && Array.isArray((cj[0] as unknown[])[0]);
}

/** Resolve the supplied confident joint to K 2×2 blocks (A5), or undefined. */
function perClassConfidentJoint(cj: Matrix[] | Matrix | undefined, k: number, warnings: string[]): Matrix[] | undefined {
  if (cj === undefined) return undefined;
  if (isThreeD(cj)) {
    flattenMultilabelConfidentJoint(cj, k);
    return cj;
  }
  if (cj.length === k && cj.every((r) => Array.isArray(r) && r.length === k)) {
    warnings.push(OLD_CONFIDENT_JOINT_WARNING);
    return undefined;
  }
  throw new InputError('confident_joint', `confident_joint should be of shape (num_classes, 2, 2) = (${k}, 2, 2).`);
}

function pushUnique(into: string[], items: readonly string[]): void {
  for (const w of items) if (!into.includes(w)) into.push(w);
}

/** A5.1: per-class binary find_label_issues; returns the per-class flagged rows. */
function perClassIssues(
  y: Uint8Array,
  pp: ProbMatrix,
  filterBy: FilterBy,
  opts: MultilabelFindOptions,
  cj: Matrix[] | undefined,
  warnings: string[],
): Int32Array[] {
  const { n, k } = pp;
  const ntr = opts.numToRemovePerClass;
  if (ntr !== undefined && ntr.length !== k) {
    throw new InputError('num_to_remove_per_class', `num_to_remove_per_class must have one entry per class (${k}); got ${ntr.length}.`);
  }
  const out: Int32Array[] = [];
  for (let c = 0; c < k; c++) {
    const b = binaryProblem(y, pp, c);
    assertBinaryProblemValid(c, b.present, n, filterBy);
    const o: FindLabelIssuesOptions = { filterBy, tieOrder: opts.tieOrder ?? 'stable' };
    if (opts.fracNoise !== undefined) o.fracNoise = opts.fracNoise;
    if (opts.minExamplesPerClass !== undefined) o.minExamplesPerClass = opts.minExamplesPerClass;
    if (ntr !== undefined) o.numToRemovePerClass = [ntr[c]!, 0];
    if (cj !== undefined) o.confidentJoint = cj[c]!;
    const r = findLabelIssues(b.labels, b.pp, o);
    pushUnique(warnings, r.warnings);
    out.push(r.indices);
  }
  return out;
}

/** Sorted union of per-class index sets. */
function unionOf(perClass: Int32Array[], n: number): { mask: Uint8Array; indices: Int32Array } {
  const mask = new Uint8Array(n);
  for (const idx of perClass) for (let t = 0; t < idx.length; t++) mask[idx[t]!] = 1;
  let count = 0;
  for (let i = 0; i < n; i++) count += mask[i]!;
  const indices = new Int32Array(count);
  for (let i = 0, j = 0; i < n; i++) if (mask[i]) indices[j++] = i;
  return { mask, indices };
}

/**
 * cleanlab `filter.find_label_issues(labels, pred_probs, multi_label=True, …)` /
 * `multilabel_classification.filter.find_label_issues` (A5.1, A5.2). Returns the mask, the
 * flagged rows and, with `returnIndicesRankedBy`, their ranking.
 */
export function findLabelIssuesMultilabel(
  labels: LabelLists,
  pp: ProbMatrix,
  opts: MultilabelFindOptions = {},
): MultilabelFindResult {
  const filterBy = opts.filterBy ?? 'prune_by_noise_rate';
  if (!isOneOf(FILTER_BY_VALUES, filterBy)) {
    throw new InputError('filter_by', `filter_by must be one of: ${FILTER_BY_VALUES.join(', ')}; got '${String(filterBy)}'.`);
  }
  if (opts.returnIndicesRankedBy !== undefined) assertRankBy(opts.returnIndicesRankedBy, 'return_indices_ranked_by');
  if (opts.validate ?? true) assertValidMultilabelInputs(labels, pp);
  else if (labels.n !== pp.n) {
    throw new InputError('pred_probs', `pred_probs has ${pp.n} rows but labels has ${labels.n} lists; they must have the same length.`);
  }
  const { n, k } = pp;
  const ties = opts.tieOrder ?? 'stable';
  const warnings: string[] = [];
  const y = oneHot(labels, k);
  const cj = perClassConfidentJoint(opts.confidentJoint, k, warnings);
  const rankKw = { adjustPredProbs: opts.rankByKwargs?.adjustPredProbs ?? false };

  if (filterBy === 'low_self_confidence' || filterBy === 'low_normalized_margin') {
    // A5.2: m = # flagged by confident_learning; O = the m lowest self-confidence EMA scores.
    const clOpts: MultilabelFindOptions = { tieOrder: ties };
    const cl = perClassIssues(y, pp, 'confident_learning', clOpts, cj, warnings);
    const m = unionOf(cl, n).indices.length;
    const s = scoresOneHot(y, pp, { method: 'self_confidence', aggregator: DEFAULT_AGGREGATOR });
    const order = argsortBy(s, ties);
    const O = order.slice(0, Math.min(m, n));
    const mask = new Uint8Array(n);
    for (let t = 0; t < O.length; t++) mask[O[t]!] = 1;
    const indices = new Int32Array(O.length);
    for (let i = 0, j = 0; i < n; i++) if (mask[i]) indices[j++] = i;
    let ranked: Int32Array | undefined;
    if (opts.returnIndicesRankedBy !== undefined) {
      // Quirk (A5.2.5): the permutation that sorts the ROW-ORDERED subset is applied to the
      // SCORE-ORDERED list O.
      const sub = subDataset(y, pp, indices);
      const subScores = scoresOneHot(
        sub.y,
        sub.pp,
        { method: opts.returnIndicesRankedBy, adjustPredProbs: rankKw.adjustPredProbs, aggregator: DEFAULT_AGGREGATOR },
        'the flagged examples',
      );
      const pi = argsortBy(subScores, ties);
      ranked = new Int32Array(pi.length);
      for (let t = 0; t < pi.length; t++) ranked[t] = O[pi[t]!]!;
    }
    return { mask, indices, ranked, perClass: Array.from({ length: k }, () => new Int32Array(0)), warnings };
  }

  const perClass = perClassIssues(y, pp, filterBy, opts, cj, warnings);
  const { mask, indices } = unionOf(perClass, n);
  let ranked: Int32Array | undefined;
  if (opts.returnIndicesRankedBy !== undefined) {
    const s = scoresOneHot(y, pp, { method: opts.returnIndicesRankedBy, adjustPredProbs: rankKw.adjustPredProbs, aggregator: DEFAULT_AGGREGATOR });
    ranked = orderLabelIssues(indices, s, ties);
  }
  return { mask, indices, ranked, perClass, warnings };
}

/**
 * `num_label_issues(labels, pred_probs, multi_label=True, confident_joint=None)` (A5.4):
 * the number of examples flagged with filter_by='confident_learning'.
 */
export function numLabelIssuesMultilabel(
  labels: LabelLists,
  pp: ProbMatrix,
  opts: { confidentJoint?: Matrix[] | Matrix; tieOrder?: TieOrder; warnings?: string[] } = {},
): number {
  const r = findLabelIssuesMultilabel(labels, pp, {
    filterBy: 'confident_learning',
    ...(opts.confidentJoint !== undefined ? { confidentJoint: opts.confidentJoint } : {}),
    ...(opts.tieOrder !== undefined ? { tieOrder: opts.tieOrder } : {}),
  });
  opts.warnings?.push(...r.warnings);
  return r.indices.length;
}

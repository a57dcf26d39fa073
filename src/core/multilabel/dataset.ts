/**
 * Multi-label dataset summaries (spec A7): the most common issues per class and
 * direction, classes ranked by label quality, and the overall health score.
 */
import { argsortBy, type TieOrder } from '../argsort.js';
import type { ClassHealth } from '../dataset.js';
import type { Matrix, ProbMatrix } from '../types.js';
import { findLabelIssuesMultilabel } from './filter.js';
import { oneHot, type LabelLists } from './types.js';

export interface CommonMultilabelIssue {
  className?: string;
  classIndex: number;
  /** True: the class is in the given label but looks wrong ("should be removed"). */
  inGivenLabel: boolean;
  /** True: the class is missing from the given label but looks right ("should be added"). */
  inSuggestedLabel: boolean;
  numExamples: number;
  issueProbability: number;
}

/** A class's label health (as for multiclass data), optionally with its name. */
export interface MultilabelClassQuality extends ClassHealth {
  className?: string;
}

function checkClassNames(classNames: readonly string[] | undefined, k: number): void {
  if (classNames !== undefined && classNames.length !== k) {
    throw new RangeError(`class_names has ${classNames.length} names for ${k} classes`);
  }
}

/**
 * Records from per-class flagged rows (A7.1 before sorting): for each class, the flagged
 * rows with the class present, then those with it absent.
 */
export function multilabelIssueRecords(
  y: Uint8Array,
  k: number,
  n: number,
  perClass: readonly Int32Array[],
  classNames?: readonly string[],
): CommonMultilabelIssue[] {
  const recs: CommonMultilabelIssue[] = [];
  for (let c = 0; c < k; c++) {
    let present = 0;
    let absent = 0;
    for (const i of perClass[c]!) {
      if (y[i * k + c] === 1) present++;
      else absent++;
    }
    const name = classNames?.[c];
    recs.push({ ...(name !== undefined ? { className: name } : {}), classIndex: c, inGivenLabel: true, inSuggestedLabel: false, numExamples: present, issueProbability: present / n });
    recs.push({ ...(name !== undefined ? { className: name } : {}), classIndex: c, inGivenLabel: false, inSuggestedLabel: true, numExamples: absent, issueProbability: absent / n });
  }
  return recs;
}

/** pandas descending sort (S7): reverse, ascending argsort, map back, reverse. */
function sortDescendingPandas<T>(recs: T[], key: (r: T) => number, ties: TieOrder): T[] {
  const L = recs.length;
  const rev = new Float64Array(L);
  for (let p = 0; p < L; p++) rev[p] = key(recs[L - 1 - p]!);
  const ord = argsortBy(rev, ties);
  const out: T[] = new Array(L);
  for (let t = 0; t < L; t++) out[L - 1 - t] = recs[L - 1 - ord[t]!]!;
  return out;
}

/** `common_multilabel_issues` (A7.1). */
export function commonMultilabelIssues(
  labels: LabelLists,
  pp: ProbMatrix,
  opts: { classNames?: readonly string[]; confidentJoint?: Matrix[] | Matrix; tieOrder?: TieOrder } = {},
): CommonMultilabelIssue[] {
  checkClassNames(opts.classNames, pp.k);
  const ties = opts.tieOrder ?? 'stable';
  const r = findLabelIssuesMultilabel(labels, pp, {
    filterBy: 'prune_by_noise_rate',
    returnIndicesRankedBy: 'self_confidence',
    tieOrder: ties,
    ...(opts.confidentJoint !== undefined ? { confidentJoint: opts.confidentJoint } : {}),
  });
  const recs = multilabelIssueRecords(oneHot(labels, pp.k), pp.k, pp.n, r.perClass, opts.classNames);
  return sortMultilabelIssues(recs, ties);
}

/**
 * `rank_classes_by_multilabel_quality` (A7.2). `joint` is passed on as the confident joint
 * of `common_multilabel_issues` (quirk); `confidentJoint` is not used by cleanlab either.
 */
export function rankClassesByMultilabelQuality(
  labels: LabelLists,
  pp: ProbMatrix,
  opts: { classNames?: readonly string[]; joint?: Matrix[] | Matrix; tieOrder?: TieOrder } = {},
): MultilabelClassQuality[] {
  const ties = opts.tieOrder ?? 'stable';
  const issues = commonMultilabelIssues(labels, pp, {
    ...(opts.classNames !== undefined ? { classNames: opts.classNames } : {}),
    ...(opts.joint !== undefined ? { confidentJoint: opts.joint } : {}),
    tieOrder: ties,
  });
  return classQualityFromIssues(issues, pp.n, ties);
}

/**
 * The class table of A7.2 from records sorted as `common_multilabel_issues` sorts them:
 * walk the records, set each class's (inverse) issue count = trunc(probability · N)
 * (quirk), noise = probability, quality = 1 − noise; classes in order of first record,
 * then sorted ascending by quality (S6).
 */
export function classQualityFromIssues(
  issues: readonly CommonMultilabelIssue[],
  n: number,
  ties: TieOrder = 'stable',
): MultilabelClassQuality[] {
  const byClass = new Map<number, MultilabelClassQuality>();
  for (const rec of issues) {
    let row = byClass.get(rec.classIndex);
    if (row === undefined) {
      row = {
        ...(rec.className !== undefined ? { className: rec.className } : {}),
        classIndex: rec.classIndex,
        labelIssues: 0,
        inverseLabelIssues: 0,
        labelNoise: 0,
        inverseLabelNoise: 0,
        labelQualityScore: 1,
      };
      byClass.set(rec.classIndex, row);
    }
    if (rec.inGivenLabel) {
      row.labelIssues = Math.trunc(rec.issueProbability * n);
      row.labelNoise = rec.issueProbability;
      row.labelQualityScore = 1 - rec.issueProbability;
    } else {
      row.inverseLabelIssues = Math.trunc(rec.issueProbability * n);
      row.inverseLabelNoise = rec.issueProbability;
    }
  }
  const rows = [...byClass.values()];
  const ord = argsortBy(Float64Array.from(rows, (r) => r.labelQualityScore), ties);
  return Array.from(ord, (j) => rows[j]!);
}

/** Records of `multilabelIssueRecords` sorted like `common_multilabel_issues` (S7, descending). */
export function sortMultilabelIssues(recs: CommonMultilabelIssue[], ties: TieOrder = 'stable'): CommonMultilabelIssue[] {
  return sortDescendingPandas(recs, (x) => x.issueProbability, ties);
}

/** `overall_multilabel_health_score` (A7.3): 1 − (# flagged by the default A5.1) / N. */
export function overallMultilabelHealthScore(
  labels: LabelLists,
  pp: ProbMatrix,
  opts: { confidentJoint?: Matrix[] | Matrix; tieOrder?: TieOrder } = {},
): number {
  const r = findLabelIssuesMultilabel(labels, pp, {
    ...(opts.confidentJoint !== undefined ? { confidentJoint: opts.confidentJoint } : {}),
    ...(opts.tieOrder !== undefined ? { tieOrder: opts.tieOrder } : {}),
  });
  return 1 - r.indices.length / pp.n;
}

export interface MultilabelHealthSummary {
  overallMultilabelHealthScore: number;
  classesByMultilabelQuality: MultilabelClassQuality[];
  commonMultilabelIssues: CommonMultilabelIssue[];
}

/** `multilabel_health_summary` (A7.4). */
export function multilabelHealthSummary(
  labels: LabelLists,
  pp: ProbMatrix,
  opts: { classNames?: readonly string[]; confidentJoint?: Matrix[] | Matrix; tieOrder?: TieOrder } = {},
): MultilabelHealthSummary {
  return {
    overallMultilabelHealthScore: overallMultilabelHealthScore(labels, pp, opts),
    classesByMultilabelQuality: rankClassesByMultilabelQuality(labels, pp, {
      ...(opts.classNames !== undefined ? { classNames: opts.classNames } : {}),
      ...(opts.tieOrder !== undefined ? { tieOrder: opts.tieOrder } : {}),
    }),
    commonMultilabelIssues: commonMultilabelIssues(labels, pp, opts),
  };
}

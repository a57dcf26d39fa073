/**
 * Review and report (review.md §2–§4), transport-independent: the review summary and the
 * cleaned labels from stored verdicts, the blind queue's items, and the data the HTML
 * report draws. The jobs routes, the CLI (`labelcheck report`) and the eval script use
 * these; the pages (src/web) only see the plain objects returned here.
 */
import { reviewOrder, summarizeReviews, type ReviewSummary, type Verdict } from '../core/review.js';
import { writeNpy } from '../io/npy.js';
import type { ExampleContent } from '../schemas/examples.js';
import type { LabelIssuesOptions } from '../schemas/label-issues.js';
import { datasetHealth } from './dataset-health.js';
import { exampleContent } from './examples.js';
import type { ClassificationInput } from './input.js';
import { labelQualityScores } from './label-quality-scores.js';

export type { ReviewSummary, Verdict } from '../core/review.js';

/** A classification dataset with its flagged rows, as the review functions read it. */
export interface ReviewDataset {
  input: ClassificationInput;
  options: LabelIssuesOptions;
  /** Flagged row indices, worst first. */
  flagged: readonly number[];
  /** 1 for flagged rows. */
  flaggedSet: Uint8Array;
}

export function reviewSummary(d: ReviewDataset, verdicts: readonly Verdict[], minReviews = 1): ReviewSummary {
  const labels = d.input.labels;
  return summarizeReviews({
    verdicts,
    givenLabel: (i) => labels[i]!,
    isFlagged: (i) => d.flaggedSet[i] === 1,
    numExamples: labels.length,
    numFlagged: d.flagged.length,
    minReviews,
  });
}

export type CorrectionsFormat = 'csv' | 'json' | 'npy';

export interface CorrectionRow {
  index: number;
  given_label: number;
  label: number | null;
  status: 'unchanged' | 'relabelled' | 'dropped';
}

/** The cleaned labels: given labels, relabelled rows changed, dropped rows marked. */
export function correctionRows(labels: Int32Array, corrections: ReviewSummary['verified_corrections']): CorrectionRow[] {
  const rows: CorrectionRow[] = Array.from(labels, (g, index) => ({ index, given_label: g, label: g, status: 'unchanged' as const }));
  for (const c of corrections) {
    const r = rows[c.index]!;
    r.label = c.label;
    r.status = c.label === null ? 'dropped' : 'relabelled';
  }
  return rows;
}

/** The export body: csv (`index,given_label,label,status`), json, or npy (int64, dropped = -1). */
export function correctionsBody(rows: readonly CorrectionRow[], format: CorrectionsFormat): { type: string; body: string | Uint8Array } {
  if (format === 'npy') {
    return { type: 'application/octet-stream', body: writeNpy(rows.map((r) => r.label ?? -1), '<i8', [rows.length]) };
  }
  if (format === 'json') return { type: 'application/json; charset=utf-8', body: JSON.stringify({ labels: rows }) };
  const lines = ['index,given_label,label,status'];
  for (const r of rows) lines.push(`${r.index},${r.given_label},${r.label ?? ''},${r.status}`);
  return { type: 'text/csv; charset=utf-8', body: lines.join('\n') + '\n' };
}

export interface TopClass {
  class: number;
  prob: number;
}

/** The `count` most probable classes of row i, most probable first (ties: lower class first). */
export function topClasses(input: ClassificationInput, i: number, count = 3): TopClass[] {
  const { data, k } = input.predProbs;
  const row = Array.from({ length: k }, (_, j) => ({ class: j, prob: data[i * k + j]! }));
  row.sort((a, b) => b.prob - a.prob || a.class - b.class);
  return row.slice(0, Math.min(count, k));
}

export interface QueueItem {
  index: number;
  given_label: number;
  suggested_label: number;
  top_classes: TopClass[];
  content: ExampleContent;
}

/** One page of the blind review queue (no item says whether it is a control). */
export function reviewQueue(
  d: ReviewDataset,
  q: { controls: number; seed: number; cursor: number; limit: number; mediaRoot: boolean },
): { total: number; items: QueueItem[]; next_cursor: string | null } {
  const order = reviewOrder(d.flagged, d.input.labels.length, q.controls, q.seed);
  const page = order.slice(q.cursor, q.cursor + q.limit);
  const items = page.map((i) => {
    const top = topClasses(d.input, i);
    return {
      index: i,
      given_label: d.input.labels[i]!,
      suggested_label: top[0]!.class,
      top_classes: top,
      content: exampleContent(d.options.examples, i, q.mediaRoot),
    };
  });
  const next = q.cursor + page.length;
  return { total: order.length, items, next_cursor: next < order.length ? String(next) : null };
}

/** Everything the HTML report shows (plain data; src/web draws it). */
export interface ReportData {
  title: string;
  generated: string;
  jobId: string | null;
  numExamples: number;
  numClasses: number;
  numLabelIssues: number;
  overallHealth: number;
  classNames: string[];
  /** The uncalibrated confident joint, K×K, rows = given label. */
  confidentJoint: number[][];
  classes: { class: number; label_issues: number; inverse_label_issues: number; label_noise: number; inverse_label_noise: number; label_quality: number }[];
  overlaps: { class_a: number; class_b: number; num_overlapping_examples: number; joint_probability: number }[];
  /** Every row's label quality score (the job's rank_by). */
  scores: Float64Array;
  /** 1 for flagged rows. */
  flaggedMask: Uint8Array;
  /** The score that ranks the issues (rank_by). */
  rankBy: string;
  accuracy: Record<string, unknown>;
  issues: (QueueItem & { label_quality: number | null })[];
  reviews: ReviewSummary | null;
  /** Link to the review app (served pages only). */
  reviewHref: string | null;
}

/**
 * The report's data from a label-issues result body (`result`, whatever computed it) and
 * the dataset. `maxIssues` limits the listed issues (the count is always the full one).
 */
export function reportData(
  d: ReviewDataset,
  result: Record<string, unknown>,
  o: {
    title: string;
    jobId: string | null;
    mediaRoot: boolean;
    reviews: ReviewSummary | null;
    reviewHref: string | null;
    maxIssues?: number;
    /** Quality of each flagged row, in `d.flagged` order. */
    quality: readonly (number | null)[];
  },
): ReportData {
  const { input, options } = d;
  const k = input.predProbs.k;
  const names = options.class_names ?? Array.from({ length: k }, (_, j) => String(j));
  const scores = labelQualityScores(input, {
    method: options.rank_by,
    adjust_pred_probs: options.adjust_pred_probs,
  }).label_quality_scores as number[];
  const health = datasetHealth(input, { asymmetric: false }) as { overlapping_classes: ReportData['overlaps'] };
  const max = o.maxIssues ?? 50;
  const issues = d.flagged.slice(0, max).map((i, r) => {
    const top = topClasses(input, i);
    return {
      index: i,
      given_label: input.labels[i]!,
      suggested_label: top[0]!.class,
      top_classes: top,
      content: exampleContent(options.examples, i, o.mediaRoot),
      label_quality: o.quality[r] ?? null,
    };
  });
  return {
    title: o.title,
    generated: new Date().toISOString(),
    jobId: o.jobId,
    numExamples: input.labels.length,
    numClasses: k,
    numLabelIssues: Number(result.num_label_issues ?? d.flagged.length),
    overallHealth: Number(result.overall_label_health_score),
    classNames: names,
    confidentJoint: result.confident_joint as number[][],
    classes: result.classes as ReportData['classes'],
    overlaps: health.overlapping_classes.slice(0, 10),
    scores: Float64Array.from(scores),
    flaggedMask: d.flaggedSet,
    rankBy: options.rank_by,
    accuracy: (result.accuracy ?? {}) as Record<string, unknown>,
    issues,
    reviews: o.reviews,
    reviewHref: o.reviewHref,
  };
}

/**
 * Human review of flagged examples (review.md §3–§4), pure:
 * - the majority rule that turns several reviewers' verdicts into one outcome per example;
 * - Wilson score intervals for the precision of the flagged set and the error rate of the
 *   unflagged controls, and the estimated number of label errors in the whole dataset;
 * - the blind review queue: flagged rows worst first, with a seeded random sample of
 *   unflagged rows (controls) at seeded random positions.
 */

/** One reviewer's verdict on one example: the class they say is correct, or null (none). */
export interface Verdict {
  index: number;
  reviewer: string;
  label: number | null;
}

export type ReviewOutcome = 'confirmed' | 'relabelled' | 'dropped';

export interface ReviewedExample {
  index: number;
  outcome: ReviewOutcome;
  /** relabelled: the new class; dropped: null; confirmed: the given label. */
  label: number | null;
  reviews: number;
  flagged: boolean;
}

export interface Interval {
  value: number;
  low: number;
  high: number;
}

export interface ReviewSummary {
  reviewed: number;
  confirmed: number;
  relabelled: number;
  dropped: number;
  flagged_reviewed: number;
  flagged_errors: number;
  precision: Interval | null;
  controls_reviewed: number;
  control_errors: number;
  control_error_rate: Interval | null;
  estimated_label_errors: Interval | null;
  verified_corrections: { index: number; label: number | null }[];
  per_reviewer: { reviewer: string; verdicts: number; agreement_with_majority: number | null }[];
}

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/**
 * Wilson score interval of a binomial proportion k/n (value = k/n). null when n = 0.
 * low/high are clamped to [0, 1] against rounding.
 */
export function wilson(k: number, n: number, z = Z95): Interval | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Key of a verdict value in the tally (null is its own value). */
const keyOf = (label: number | null): string => (label === null ? 'null' : String(label));

/**
 * The majority rule (review.md §4): the winner is the value chosen by strictly more than
 * R/2 of the R verdicts; winner = given → confirmed, another class → relabelled, null or no
 * strict majority → dropped. `undefined` winner means no strict majority.
 */
export function majority(labels: readonly (number | null)[]): { winner: number | null | undefined } {
  const tally = new Map<string, { label: number | null; count: number }>();
  for (const l of labels) {
    const k = keyOf(l);
    const t = tally.get(k);
    if (t) t.count++;
    else tally.set(k, { label: l, count: 1 });
  }
  for (const t of tally.values()) if (2 * t.count > labels.length) return { winner: t.label };
  return { winner: undefined };
}

export interface AggregateInput {
  verdicts: readonly Verdict[];
  /** Given label of row i. */
  givenLabel: (index: number) => number;
  isFlagged: (index: number) => boolean;
  numExamples: number;
  numFlagged: number;
  /** Only indices with at least this many verdicts count (default 1). */
  minReviews?: number;
}

/** Group verdicts by index (indices ascending). */
function byIndex(verdicts: readonly Verdict[]): Map<number, Verdict[]> {
  const groups = new Map<number, Verdict[]>();
  for (const v of [...verdicts].sort((a, b) => a.index - b.index)) {
    const g = groups.get(v.index);
    if (g) g.push(v);
    else groups.set(v.index, [v]);
  }
  return groups;
}

/** One outcome per reviewed index with at least minReviews verdicts, indices ascending. */
export function reviewedExamples(input: AggregateInput): { examples: ReviewedExample[]; winners: Map<number, number | null | undefined> } {
  const minReviews = input.minReviews ?? 1;
  const examples: ReviewedExample[] = [];
  const winners = new Map<number, number | null | undefined>();
  for (const [index, vs] of byIndex(input.verdicts)) {
    if (vs.length < minReviews) continue;
    const { winner } = majority(vs.map((v) => v.label));
    winners.set(index, winner);
    const given = input.givenLabel(index);
    const flagged = input.isFlagged(index);
    if (winner === given) examples.push({ index, outcome: 'confirmed', label: given, reviews: vs.length, flagged });
    else if (winner === null || winner === undefined) examples.push({ index, outcome: 'dropped', label: null, reviews: vs.length, flagged });
    else examples.push({ index, outcome: 'relabelled', label: winner, reviews: vs.length, flagged });
  }
  return { examples, winners };
}

/** The `/reviews` summary (review.md §4). */
export function summarizeReviews(input: AggregateInput): ReviewSummary {
  const { examples, winners } = reviewedExamples(input);
  let confirmed = 0;
  let relabelled = 0;
  let dropped = 0;
  let flaggedReviewed = 0;
  let flaggedErrors = 0;
  let controlsReviewed = 0;
  let controlErrors = 0;
  const corrections: { index: number; label: number | null }[] = [];
  for (const e of examples) {
    const error = e.outcome !== 'confirmed';
    if (e.outcome === 'confirmed') confirmed++;
    else if (e.outcome === 'relabelled') relabelled++;
    else dropped++;
    if (error) corrections.push({ index: e.index, label: e.label });
    if (e.flagged) {
      flaggedReviewed++;
      if (error) flaggedErrors++;
    } else {
      controlsReviewed++;
      if (error) controlErrors++;
    }
  }
  const precision = wilson(flaggedErrors, flaggedReviewed);
  const rate = wilson(controlErrors, controlsReviewed);
  const unflagged = input.numExamples - input.numFlagged;
  const estimate = (p: Interval | null, r: Interval | null): Interval | null => {
    if (p === null && r === null) return null;
    // Without a reviewed control the unflagged rows contribute 0 (confident learning's own
    // assumption); without a reviewed flagged row the flagged rows contribute 0.
    const f = input.numFlagged;
    return {
      value: (p?.value ?? 0) * f + (r?.value ?? 0) * unflagged,
      low: (p?.low ?? 0) * f + (r?.low ?? 0) * unflagged,
      high: (p?.high ?? 0) * f + (r?.high ?? 0) * unflagged,
    };
  };

  // Agreement of each reviewer with the majority of the indices that count and have one.
  const perReviewer = new Map<string, { verdicts: number; agree: number; decided: number }>();
  for (const v of input.verdicts) {
    if (!winners.has(v.index)) continue;
    const r = perReviewer.get(v.reviewer) ?? { verdicts: 0, agree: 0, decided: 0 };
    r.verdicts++;
    const w = winners.get(v.index);
    if (w !== undefined) {
      r.decided++;
      if (w === v.label) r.agree++;
    }
    perReviewer.set(v.reviewer, r);
  }
  return {
    reviewed: examples.length,
    confirmed,
    relabelled,
    dropped,
    flagged_reviewed: flaggedReviewed,
    flagged_errors: flaggedErrors,
    precision,
    controls_reviewed: controlsReviewed,
    control_errors: controlErrors,
    control_error_rate: rate,
    estimated_label_errors: estimate(precision, rate),
    verified_corrections: corrections,
    per_reviewer: [...perReviewer.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([reviewer, r]) => ({
        reviewer,
        verdicts: r.verdicts,
        agreement_with_majority: r.decided === 0 ? null : r.agree / r.decided,
      })),
  };
}

/** A small seeded PRNG (splitmix32), uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  };
}

/**
 * The blind review order: `flagged` (worst first) with round(controls × unflagged) unflagged
 * rows drawn at random (seeded) and placed at random (seeded) positions. Same inputs and
 * seed → same order. Returns row indices.
 */
export function reviewOrder(flagged: readonly number[], numExamples: number, controls: number, seed: number): number[] {
  const isFlagged = new Uint8Array(numExamples);
  for (const i of flagged) isFlagged[i] = 1;
  const unflagged: number[] = [];
  for (let i = 0; i < numExamples; i++) if (!isFlagged[i]) unflagged.push(i);
  const c = Math.min(unflagged.length, Math.round(controls * unflagged.length));
  if (c === 0) return [...flagged];
  const rand = seededRandom(seed);
  // Partial Fisher–Yates: the first c entries become the sample.
  for (let i = 0; i < c; i++) {
    const j = i + Math.floor(rand() * (unflagged.length - i));
    [unflagged[i], unflagged[j]] = [unflagged[j]!, unflagged[i]!];
  }
  // Positions of the controls among the T = |flagged| + c slots: a sample of c slots.
  const total = flagged.length + c;
  const slots = Array.from({ length: total }, (_, i) => i);
  for (let i = 0; i < c; i++) {
    const j = i + Math.floor(rand() * (total - i));
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  const isControlSlot = new Uint8Array(total);
  for (let i = 0; i < c; i++) isControlSlot[slots[i]!] = 1;
  const order: number[] = new Array(total);
  let f = 0;
  let u = 0;
  for (let s = 0; s < total; s++) order[s] = isControlSlot[s] ? unflagged[u++]! : flagged[f++]!;
  return order;
}

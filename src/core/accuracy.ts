/**
 * Corrected-accuracy estimators (corrected-accuracy.md §2–§7, "CA-spec").
 *
 * Inputs are the given labels s, the suggested labels g (first argmax of the reference
 * pred_probs), the flagged set F (a 0/1 mask from find_label_issues), the estimated noise
 * matrix T̂ (P(given = i | true = j), columns sum to 1), optional verified corrections V,
 * and one prediction vector ŷ per model.
 *
 * Every accuracy is a ratio of integer counts computed with exactly one float64 division,
 * so results do not depend on row order (streaming.md §3). `estimated_true` contracts the
 * K×K prediction-by-given-label counts with T̂⁻¹, summing the K² products row by row.
 */
import { InputError } from './errors.js';
import { invertNoiseMatrix } from './linalg.js';
import type { Matrix } from './types.js';

// ---------------------------------------------------------------------------------------
// Types

/** Estimator names as they appear in responses (`rankings`, `null_reasons`). */
export type EstimatorName = 'given_labels' | 'pruned' | 'corrected' | 'verified' | 'estimated_true';

export const ESTIMATOR_NAMES: readonly EstimatorName[] = [
  'given_labels',
  'pruned',
  'corrected',
  'verified',
  'estimated_true',
];

/** Reasons an estimate (or the prevalence curves) can be null. */
export type NullReason =
  | 'all_examples_flagged'
  | 'all_examples_dropped'
  | 'noise_matrix_singular'
  | 'noise_matrix_ill_conditioned'
  | 'noise_matrix_unavailable'
  | 'no_mislabelled_examples'
  | 'fewer_than_two_models'
  | 'constant_estimates';

/** One caller-supplied verdict: `label = null` means "no valid label: drop the example". */
export interface VerifiedCorrection {
  index: number;
  label: number | null;
}

/** V after validation, as a per-row verdict. */
export interface VerifiedSet {
  /** verdict[n] = NOT_VERIFIED, DROPPED, or the verified class. */
  readonly verdict: Int32Array;
  /** Number of entries in V. */
  readonly count: number;
  /** |D|, entries with a null label. */
  readonly dropped: number;
}

export const NOT_VERIFIED = -2;
export const DROPPED = -1;

export interface AccuracyModel {
  name: string;
  /** ŷ_m, one class in [0, K) per example. */
  predictions: Int32Array;
  /** True for the model that produced the reference pred_probs (ŷ = g). */
  reference?: boolean;
}

export interface ModelAccuracy {
  name: string;
  reference: boolean;
  givenLabels: number;
  pruned: number | null;
  corrected: number;
  /** Present only when verified corrections were supplied. */
  verified?: number | null;
  estimatedTrue: number | null;
  estimatedTrueRaw: number | null;
  estimatedTrueSe: number | null;
  /** Per-class recall from M̂ = n_m (T̂ᵀ)⁻¹ / N; an entry is null when M̂'s column sum is ≤ 0. */
  estimatedTrueClassRecall: (number | null)[] | null;
  /** corrected and estimated_true are self-confirming for the reference model (CA-spec §3.1, §4). */
  selfReferential: { corrected: boolean; estimatedTrue: boolean };
  /** estimator name → reason, for every null estimate. */
  nullReasons: Record<string, NullReason>;
}

export interface EstimatorComparison {
  /** Kendall's τ-b between given_labels and this estimator over models with non-null values. */
  kendallTauB: number | null;
  /** Why kendallTauB is null, when it is. */
  nullReason?: NullReason;
  /** Pairs (p, q), p before q in input order, that the two estimators order strictly opposite. */
  flips: [string, string][];
}

export interface RankingChange {
  /** π* at which the ranking first changes (= π₀ when `immediate`). */
  prevalence: number;
  /** True when two models tie at π₀ and the slopes reverse their input-order ranking at once. */
  immediate: boolean;
  /** The model that moves up past `overtaken`. */
  overtaking: string;
  overtaken: string;
}

export interface PrevalenceModelCurve {
  name: string;
  /** a_E: accuracy on E against the corrected labels. */
  accuracyOnMislabelled: number;
  /** o_E: accuracy on E against the original labels. */
  originalAccuracyOnMislabelled: number;
  /** a_C: accuracy on the rows treated as correctly labelled; null when |C| = 0. */
  accuracyOnRest: number | null;
  /** acc_m(π) at each grid prevalence (corrected labels). */
  corrected: number[];
  /** orig_m(π) at each grid prevalence (original labels). */
  original: number[];
}

export interface PrevalenceCurves {
  /** Where E came from: verified corrections (v ≠ null, v ≠ s) or the flagged set F. */
  source: 'verified_corrections' | 'flagged';
  numMislabelled: number;
  numExcluded: number;
  numRest: number;
  /** π₀ = |E| / (|E| + |C|). */
  naturalPrevalence: number;
  step: number;
  max: number;
  /** The grid π₀, π₀ + step, … < max, then max (π₀ only when π₀ ≥ max). */
  prevalence: number[];
  models: PrevalenceModelCurve[];
  firstRankingChange: RankingChange | null;
  firstRankingChangeOriginal: RankingChange | null;
}

export interface CorrectedAccuracyInput {
  labels: Int32Array;
  suggested: Int32Array;
  flaggedMask: Uint8Array;
  numClasses: number;
  /** T̂; null when unavailable (then estimated_true is null with `noise_matrix_unavailable`). */
  noiseMatrix: Matrix | null;
  models: readonly AccuracyModel[];
  verified?: VerifiedSet | null;
  /** Grid step of the prevalence curves (default 0.01). */
  prevalenceStep?: number;
  /** Largest prevalence of the grid (default 0.5). */
  prevalenceMax?: number;
}

export interface CorrectedAccuracyResult {
  numExamples: number;
  numClasses: number;
  numLabelIssues: number;
  numVerified: number | null;
  numDropped: number | null;
  /** κ₁(T̂) when T̂ could be inverted. */
  noiseMatrixCondition: number | null;
  models: ModelAccuracy[];
  /** Model names per estimator: accuracy descending, then input order; nulls last. */
  rankings: Partial<Record<EstimatorName, string[]>>;
  /** For every estimator other than given_labels. */
  comparisons: Partial<Record<EstimatorName, EstimatorComparison>>;
  prevalenceCurves: PrevalenceCurves | null;
  nullReasons: Record<string, NullReason>;
}

export const DEFAULT_PREVALENCE_STEP = 0.01;
export const DEFAULT_PREVALENCE_MAX = 0.5;
/** Cap on the number of grid points (a tiny step would otherwise allocate without bound). */
export const MAX_PREVALENCE_POINTS = 10_001;

// ---------------------------------------------------------------------------------------
// Validation

/**
 * Validate caller-supplied verified corrections (CA-spec §2): every entry an object with an
 * integer `index` in [0, N) and a `label` that is an integer in [0, K) or null; no index
 * twice. Failures are InputErrors naming `verified_corrections[i]`.
 */
export function validateVerifiedCorrections(raw: unknown, n: number, k: number): VerifiedSet {
  if (!Array.isArray(raw)) {
    throw new InputError('verified_corrections', 'verified_corrections must be an array of {"index": i, "label": j | null}');
  }
  const verdict = new Int32Array(n).fill(NOT_VERIFIED);
  const firstSeen = new Map<number, number>();
  let dropped = 0;
  for (let e = 0; e < raw.length; e++) {
    const entry: unknown = raw[e];
    const where = { row: e };
    const at = `verified_corrections[${e}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new InputError('verified_corrections', `${at} must be an object {"index": i, "label": j | null}`, where);
    }
    const { index, label } = entry as { index?: unknown; label?: unknown };
    if (typeof index !== 'number' || !Number.isInteger(index)) {
      throw new InputError('verified_corrections', `${at}.index must be an integer, got ${show(index)}`, where);
    }
    if (index < 0 || index >= n) {
      throw new InputError('verified_corrections', `${at}.index ${index} is outside [0, ${n}) (there are ${n} examples)`, where);
    }
    const prev = firstSeen.get(index);
    if (prev !== undefined) {
      throw new InputError(
        'verified_corrections',
        `${at}.index ${index} is a duplicate of verified_corrections[${prev}]; give each example at most one verdict`,
        where,
      );
    }
    firstSeen.set(index, e);
    if (label === null) {
      verdict[index] = DROPPED;
      dropped++;
      continue;
    }
    if (label === undefined) {
      throw new InputError('verified_corrections', `${at}.label is missing; use null to drop the example`, where);
    }
    if (typeof label !== 'number' || !Number.isInteger(label)) {
      throw new InputError('verified_corrections', `${at}.label must be an integer class or null, got ${show(label)}`, where);
    }
    if (label < 0 || label >= k) {
      throw new InputError('verified_corrections', `${at}.label ${label} is outside [0, ${k}) (there are ${k} classes)`, where);
    }
    verdict[index] = label;
  }
  return { verdict, count: raw.length, dropped };
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 30 ? v.slice(0, 30) + '…' : v);
  if (Array.isArray(v)) return 'an array';
  return String(v);
}

/** Prediction vector of one model: length N, integers in [0, K). */
export function validatePredictions(name: string, predictions: Int32Array, n: number, k: number): void {
  const field = `models.${name}.predictions`;
  if (predictions.length !== n) {
    throw new InputError('models', `${field} has ${predictions.length} entries, expected ${n} (one per example)`, {
      path: field,
    });
  }
  for (let i = 0; i < n; i++) {
    const p = predictions[i]!;
    if (p < 0 || p >= k) {
      throw new InputError('models', `${field}[${i}] is ${p}; predictions must be classes in [0, ${k})`, {
        path: `${field}[${i}]`,
      });
    }
  }
}

function validatePrevalenceOptions(step: number, max: number): void {
  if (!Number.isFinite(step) || step <= 0) {
    throw new InputError('prevalence_step', `prevalence_step must be a number > 0, got ${step}`);
  }
  if (!Number.isFinite(max) || max <= 0 || max > 1) {
    throw new InputError('prevalence_max', `prevalence_max must be in (0, 1], got ${max}`);
  }
}

// ---------------------------------------------------------------------------------------
// Kernels

/** Integer counts of one model against the fixed row sets. */
interface ModelCounts {
  /** n_m[a][i] = #{ŷ = a, s = i}, row-major K×K. */
  confusion: Float64Array;
  hitsGiven: number;
  hitsGivenOnFlagged: number;
  hitsSuggestedOnFlagged: number;
  hitsVerified: number;
  hitsCorrectedOnE: number;
  hitsOriginalOnE: number;
  hitsOnC: number;
}

/** Row membership for the prevalence sets: 0 = C, 1 = E, 2 = X. */
const IN_C = 0;
const IN_E = 1;
const IN_X = 2;

interface RowSets {
  /** 0 = C, 1 = E, 2 = X (excluded). */
  membership: Uint8Array;
  /** Corrected label on E rows (v_n or g[n]); unused elsewhere. */
  correctedLabel: Int32Array;
  sizeE: number;
  sizeC: number;
  sizeX: number;
}

function buildRowSets(labels: Int32Array, suggested: Int32Array, flagged: Uint8Array, v: VerifiedSet | null): RowSets {
  const n = labels.length;
  const membership = new Uint8Array(n);
  const correctedLabel = new Int32Array(n);
  let sizeE = 0;
  let sizeX = 0;
  for (let i = 0; i < n; i++) {
    if (v) {
      const d = v.verdict[i]!;
      if (d === DROPPED) {
        membership[i] = IN_X;
        sizeX++;
      } else if (d >= 0 && d !== labels[i]) {
        membership[i] = IN_E;
        correctedLabel[i] = d;
        sizeE++;
      }
    } else if (flagged[i]) {
      membership[i] = IN_E;
      correctedLabel[i] = suggested[i]!;
      sizeE++;
    }
  }
  return { membership, correctedLabel, sizeE, sizeX, sizeC: n - sizeE - sizeX };
}

function countModel(
  pred: Int32Array,
  labels: Int32Array,
  suggested: Int32Array,
  flagged: Uint8Array,
  v: VerifiedSet | null,
  sets: RowSets,
  k: number,
): ModelCounts {
  const n = labels.length;
  const confusion = new Float64Array(k * k);
  let hitsGivenOnFlagged = 0;
  let hitsSuggestedOnFlagged = 0;
  let hitsVerified = 0;
  let hitsCorrectedOnE = 0;
  let hitsOriginalOnE = 0;
  let hitsOnC = 0;
  const { membership, correctedLabel } = sets;
  for (let i = 0; i < n; i++) {
    const a = pred[i]!;
    const s = labels[i]!;
    confusion[a * k + s]!++;
    const hitGiven = a === s ? 1 : 0;
    if (flagged[i]) {
      hitsGivenOnFlagged += hitGiven;
      if (a === suggested[i]) hitsSuggestedOnFlagged++;
    }
    if (v) {
      const d = v.verdict[i]!;
      if (d >= 0) {
        if (a === d) hitsVerified++;
      } else if (d === NOT_VERIFIED) {
        hitsVerified += hitGiven;
      }
    }
    const m = membership[i]!;
    if (m === IN_E) {
      if (a === correctedLabel[i]) hitsCorrectedOnE++;
      hitsOriginalOnE += hitGiven;
    } else if (m === IN_C) {
      hitsOnC += hitGiven;
    }
  }
  let hitsGiven = 0;
  for (let a = 0; a < k; a++) hitsGiven += confusion[a * k + a]!;
  return {
    confusion,
    hitsGiven,
    hitsGivenOnFlagged,
    hitsSuggestedOnFlagged,
    hitsVerified,
    hitsCorrectedOnE,
    hitsOriginalOnE,
    hitsOnC,
  };
}

export interface EstimatedTrue {
  raw: number;
  clipped: number;
  se: number;
  classRecall: (number | null)[];
}

/**
 * CA-spec §4: Â = (1/N) Σ_{a,i} n[a][i]·T⁻¹[a][i] (summed row by row), SE = sd(w)/√N with
 * w[n] = T⁻¹[ŷ[n]][s[n]] and divisor N, and per-class recall M̂[j][j] / Σ_a M̂[a][j].
 * `confusion` is n_m row-major (rows ŷ, columns s).
 */
export function estimatedTrueFromCounts(confusion: ArrayLike<number>, tInv: Matrix, n: number): EstimatedTrue {
  const k = tInv.length;
  let total = 0;
  for (let a = 0; a < k; a++) {
    const row = tInv[a]!;
    for (let i = 0; i < k; i++) total += confusion[a * k + i]! * row[i]!;
  }
  const raw = total / n;
  let ss = 0;
  for (let a = 0; a < k; a++) {
    const row = tInv[a]!;
    for (let i = 0; i < k; i++) {
      const c = confusion[a * k + i]!;
      if (c !== 0) {
        const d = row[i]! - raw;
        ss += c * d * d;
      }
    }
  }
  const se = Math.sqrt(ss / n / n);
  // Given-label totals per class, then M̂·N column sums: Σ_a M̂[a][j]·N = Σ_i cnt[i]·T⁻¹[j][i].
  const givenCount = new Float64Array(k);
  for (let a = 0; a < k; a++) for (let i = 0; i < k; i++) givenCount[i] += confusion[a * k + i]!;
  const classRecall: (number | null)[] = [];
  for (let j = 0; j < k; j++) {
    const row = tInv[j]!;
    let diag = 0;
    let col = 0;
    for (let i = 0; i < k; i++) {
      diag += confusion[j * k + i]! * row[i]!;
      col += givenCount[i]! * row[i]!;
    }
    classRecall.push(col > 0 ? diag / col : null);
  }
  return { raw, clipped: Math.min(1, Math.max(0, raw)), se, classRecall };
}

/** Indices of `values` sorted by value descending, then input order; nulls last in input order. */
export function rankOrder(values: readonly (number | null)[]): number[] {
  const idx = values.map((_, i) => i);
  return idx.sort((p, q) => {
    const a = values[p]!;
    const b = values[q]!;
    if (a === null || b === null) {
      if (a === null && b === null) return p - q;
      return a === null ? 1 : -1;
    }
    if (a !== b) return b - a;
    return p - q;
  });
}

/**
 * Kendall's τ-b of paired values (ties handled as in τ-b). Null when fewer than 2 pairs
 * or when either side is constant (τ-b is 0/0 there).
 */
export function kendallTauB(x: readonly number[], y: readonly number[]): number | null {
  const m = x.length;
  if (m !== y.length) throw new RangeError('kendallTauB: arrays differ in length');
  if (m < 2) return null;
  let concordant = 0;
  let discordant = 0;
  let tiedX = 0;
  let tiedY = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const dx = Math.sign(x[i]! - x[j]!);
      const dy = Math.sign(y[i]! - y[j]!);
      if (dx === 0) tiedX++;
      if (dy === 0) tiedY++;
      if (dx * dy > 0) concordant++;
      else if (dx * dy < 0) discordant++;
    }
  }
  const pairs = (m * (m - 1)) / 2;
  const denom = Math.sqrt((pairs - tiedX) * (pairs - tiedY));
  if (denom === 0) return null;
  return (concordant - discordant) / denom;
}

/** Index pairs (p < q) that x and y order strictly opposite. */
export function pairwiseFlips(x: readonly (number | null)[], y: readonly (number | null)[]): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; p < x.length; p++) {
    for (let q = p + 1; q < x.length; q++) {
      const xp = x[p]!;
      const xq = x[q]!;
      const yp = y[p]!;
      const yq = y[q]!;
      if (xp === null || xq === null || yp === null || yq === null) continue;
      if (Math.sign(xp - xq) * Math.sign(yp - yq) < 0) out.push([p, q]);
    }
  }
  return out;
}

/**
 * The grid π₀, π₀ + i·step, … ≤ max, ending with max itself: a last grid point within
 * 1e-9·step of max is snapped to max, otherwise max is appended. Only π₀ when π₀ ≥ max.
 */
export function prevalenceGrid(pi0: number, step: number, max: number): number[] {
  const out = [pi0];
  if (!(pi0 < max)) return out;
  const count = Math.floor((max - pi0) / step + 1e-9);
  if (count + 2 > MAX_PREVALENCE_POINTS) {
    throw new InputError(
      'prevalence_step',
      `prevalence_step ${step} gives ${count + 1} points between ${pi0} and ${max}; at most ${MAX_PREVALENCE_POINTS} are allowed`,
    );
  }
  for (let i = 1; i <= count; i++) out.push(Math.min(pi0 + i * step, max));
  const last = out[out.length - 1]!;
  if (max - last <= 1e-9 * step) out[out.length - 1] = max;
  else out.push(max);
  return out;
}

/**
 * CA-spec §6 "first ranking change", exactly, from integer hit counts: model m has
 * `hitsE[m]` correct on E (|E| = sizeE) and `hitsC[m]` correct on C (|C| = sizeC).
 * Returns the indices of the pair and π*, or null when no pair changes in (π₀, max].
 */
export function firstRankingChange(
  hitsE: readonly number[],
  hitsC: readonly number[],
  sizeE: number,
  sizeC: number,
  max: number,
): { prevalence: number; immediate: boolean; overtaking: number; overtaken: number } | null {
  if (sizeE === 0 || sizeC === 0) return null;
  const pi0 = sizeE / (sizeE + sizeC);
  let best: { prevalence: number; immediate: boolean; overtaking: number; overtaken: number } | null = null;
  const m = hitsE.length;
  for (let p = 0; p < m; p++) {
    for (let q = p + 1; q < m; q++) {
      const dE = hitsE[p]! - hitsE[q]!;
      const dC = hitsC[p]! - hitsC[q]!;
      // sign of acc_p(π₀) − acc_q(π₀) = sign((dE + dC) / (|E| + |C|))
      const d0 = Math.sign(dE + dC);
      // sign of the slope ΔE − ΔC = dE/|E| − dC/|C|
      const slope = Math.sign(dE * sizeC - dC * sizeE);
      let cand: { prevalence: number; immediate: boolean; overtaking: number; overtaken: number } | null = null;
      if (d0 === 0) {
        // Tied at π₀: p ranks first by input order; q passes it at once if the slope favours q.
        if (slope < 0 && pi0 < max) cand = { prevalence: pi0, immediate: true, overtaking: q, overtaken: p };
      } else if (d0 * slope < 0) {
        // π* = ΔC / (ΔC − ΔE) = dC·|E| / (dC·|E| − dE·|C|), one division of exact integers.
        const num = dC * sizeE;
        const star = num / (num - dE * sizeC);
        if (star <= max) {
          cand =
            d0 > 0
              ? { prevalence: star, immediate: false, overtaking: q, overtaken: p }
              : { prevalence: star, immediate: false, overtaking: p, overtaken: q };
        }
      }
      if (cand && (best === null || cand.prevalence < best.prevalence)) best = cand;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------
// Public entry points

function checkCommon(labels: Int32Array, suggested: Int32Array, flagged: Uint8Array, k: number): number {
  const n = labels.length;
  if (n < 1) throw new InputError('labels', 'labels must contain at least one example');
  if (suggested.length !== n || flagged.length !== n) {
    throw new RangeError(`accuracy: labels (${n}), suggested (${suggested.length}) and flagged mask (${flagged.length}) differ in length`);
  }
  if (!(k >= 1)) throw new RangeError('accuracy: numClasses must be ≥ 1');
  return n;
}

function countFlagged(flagged: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < flagged.length; i++) if (flagged[i]) c++;
  return c;
}

type InverseState = { ok: true; inverse: Matrix; condition: number } | { ok: false; reason: NullReason; condition: number | null };

function invertOrReason(noiseMatrix: Matrix | null, k: number): InverseState {
  if (noiseMatrix === null) return { ok: false, reason: 'noise_matrix_unavailable', condition: null };
  if (noiseMatrix.length !== k) throw new RangeError(`accuracy: noise matrix is ${noiseMatrix.length}×?, expected ${k}×${k}`);
  return invertNoiseMatrix(noiseMatrix);
}

function modelAccuracy(
  model: AccuracyModel,
  c: ModelCounts,
  n: number,
  numFlagged: number,
  v: VerifiedSet | null,
  inv: InverseState,
): ModelAccuracy {
  const nullReasons: Record<string, NullReason> = {};
  const pruned = numFlagged === n ? null : (c.hitsGiven - c.hitsGivenOnFlagged) / (n - numFlagged);
  if (pruned === null) nullReasons.pruned = 'all_examples_flagged';
  const corrected = (c.hitsGiven - c.hitsGivenOnFlagged + c.hitsSuggestedOnFlagged) / n;
  const reference = model.reference === true;
  const out: ModelAccuracy = {
    name: model.name,
    reference,
    givenLabels: c.hitsGiven / n,
    pruned,
    corrected,
    estimatedTrue: null,
    estimatedTrueRaw: null,
    estimatedTrueSe: null,
    estimatedTrueClassRecall: null,
    selfReferential: { corrected: reference, estimatedTrue: reference },
    nullReasons,
  };
  if (v) {
    const kept = n - v.dropped;
    out.verified = kept === 0 ? null : c.hitsVerified / kept;
    if (kept === 0) nullReasons.verified = 'all_examples_dropped';
  }
  if (inv.ok) {
    const e = estimatedTrueFromCounts(c.confusion, inv.inverse, n);
    out.estimatedTrue = e.clipped;
    out.estimatedTrueRaw = e.raw;
    out.estimatedTrueSe = e.se;
    out.estimatedTrueClassRecall = e.classRecall;
  } else {
    nullReasons.estimated_true = inv.reason;
  }
  return out;
}

/** The `accuracy` block of /v1/label-issues (api.md §4), camelCase. */
export interface ReferenceAccuracy {
  givenLabels: number;
  pruned: number | null;
  corrected: number;
  estimatedTrue: number | null;
  estimatedTrueRaw: number | null;
  estimatedTrueSe: number | null;
  numLabelIssues: number;
  nullReasons: Record<string, string>;
}

/** Integer counts the reference model's accuracy block is computed from (mergeable across chunks). */
export interface AccuracyCounts {
  /** n[a][i] = #{suggested = a, given = i}, row-major K×K. */
  confusion: ArrayLike<number>;
  n: number;
  k: number;
  /** |F| */
  numFlagged: number;
  /** Flagged rows whose suggested label equals the given label (0 except with the low_* filters). */
  hitsGivenOnFlagged: number;
  noiseMatrix: Matrix | null;
}

/**
 * The `accuracy` block of the model that produced pred_probs (ŷ = g) from merged integer
 * counts (streaming.md §6): every flagged row is a hit against its suggested label.
 */
export function referenceAccuracyFromCounts(c: AccuracyCounts): ReferenceAccuracy {
  const { n, k, numFlagged } = c;
  if (c.confusion.length !== k * k) throw new RangeError(`accuracy: confusion has ${c.confusion.length} cells, expected ${k}×${k}`);
  let hitsGiven = 0;
  for (let a = 0; a < k; a++) hitsGiven += c.confusion[a * k + a]!;
  const counts: ModelCounts = {
    confusion: Float64Array.from(c.confusion),
    hitsGiven,
    hitsGivenOnFlagged: c.hitsGivenOnFlagged,
    hitsSuggestedOnFlagged: numFlagged,
    hitsVerified: 0,
    hitsCorrectedOnE: 0,
    hitsOriginalOnE: 0,
    hitsOnC: 0,
  };
  const m = modelAccuracy({ name: 'reference', predictions: new Int32Array(0), reference: true }, counts, n, numFlagged, null, invertOrReason(c.noiseMatrix, k));
  return {
    givenLabels: m.givenLabels,
    pruned: m.pruned,
    corrected: m.corrected,
    estimatedTrue: m.estimatedTrue,
    estimatedTrueRaw: m.estimatedTrueRaw,
    estimatedTrueSe: m.estimatedTrueSe,
    numLabelIssues: numFlagged,
    nullReasons: m.nullReasons,
  };
}

/**
 * The `accuracy` block of /v1/label-issues (api.md §4) for the model that produced
 * pred_probs: its predictions are the suggested labels g.
 */
export function referenceAccuracy(
  labels: Int32Array,
  suggested: Int32Array,
  flaggedMask: Uint8Array,
  noiseMatrix: Matrix | null,
): ReferenceAccuracy {
  const k = noiseMatrix ? noiseMatrix.length : maxPlusOne(labels, suggested);
  const n = checkCommon(labels, suggested, flaggedMask, k);
  const confusion = new Float64Array(k * k);
  let numFlagged = 0;
  let hitsGivenOnFlagged = 0;
  for (let i = 0; i < n; i++) {
    const a = suggested[i]!;
    const s = labels[i]!;
    confusion[a * k + s]!++;
    if (flaggedMask[i]) {
      numFlagged++;
      if (a === s) hitsGivenOnFlagged++;
    }
  }
  return referenceAccuracyFromCounts({ confusion, n, k, numFlagged, hitsGivenOnFlagged, noiseMatrix });
}

function maxPlusOne(a: Int32Array, b: Int32Array): number {
  let k = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! >= k) k = a[i]! + 1;
  for (let i = 0; i < b.length; i++) if (b[i]! >= k) k = b[i]! + 1;
  return k;
}

/**
 * Every estimator of CA-spec §3 for every model, the rankings and their comparison with
 * given_labels (§5), and the noise-prevalence curves with the first ranking change (§6).
 */
export function correctedAccuracy(input: CorrectedAccuracyInput): CorrectedAccuracyResult {
  const { labels, suggested, flaggedMask, numClasses: k, models } = input;
  const n = checkCommon(labels, suggested, flaggedMask, k);
  const v = input.verified ?? null;
  if (v && v.verdict.length !== n) throw new RangeError('accuracy: verified set has the wrong length');
  const step = input.prevalenceStep ?? DEFAULT_PREVALENCE_STEP;
  const max = input.prevalenceMax ?? DEFAULT_PREVALENCE_MAX;
  validatePrevalenceOptions(step, max);
  if (models.length === 0) throw new InputError('models', 'models must name at least one model');
  const seen = new Set<string>();
  for (const m of models) {
    if (seen.has(m.name)) throw new InputError('models', `model name '${m.name}' is used twice`, { path: `models.${m.name}` });
    seen.add(m.name);
    validatePredictions(m.name, m.predictions, n, k);
  }

  const numFlagged = countFlagged(flaggedMask);
  const inv = invertOrReason(input.noiseMatrix, k);
  const sets = buildRowSets(labels, suggested, flaggedMask, v);
  const counts = models.map((m) => countModel(m.predictions, labels, suggested, flaggedMask, v, sets, k));
  const accs = models.map((m, i) => modelAccuracy(m, counts[i]!, n, numFlagged, v, inv));
  const names = models.map((m) => m.name);

  // §5 rankings and comparisons.
  const estimators = ESTIMATOR_NAMES.filter((e) => e !== 'verified' || v !== null);
  const valuesOf = (e: EstimatorName): (number | null)[] =>
    accs.map((a) => {
      switch (e) {
        case 'given_labels':
          return a.givenLabels;
        case 'pruned':
          return a.pruned;
        case 'corrected':
          return a.corrected;
        case 'verified':
          return a.verified ?? null;
        case 'estimated_true':
          return a.estimatedTrue;
      }
    });
  const given = valuesOf('given_labels') as number[];
  const rankings: Partial<Record<EstimatorName, string[]>> = {};
  const comparisons: Partial<Record<EstimatorName, EstimatorComparison>> = {};
  for (const e of estimators) {
    const vals = valuesOf(e);
    rankings[e] = rankOrder(vals).map((i) => names[i]!);
    if (e === 'given_labels') continue;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < vals.length; i++) {
      if (vals[i] !== null) {
        xs.push(given[i]!);
        ys.push(vals[i]!);
      }
    }
    const tau = kendallTauB(xs, ys);
    const cmp: EstimatorComparison = {
      kendallTauB: tau,
      flips: pairwiseFlips(given, vals).map(([p, q]) => [names[p]!, names[q]!] as [string, string]),
    };
    if (tau === null) cmp.nullReason = xs.length < 2 ? 'fewer_than_two_models' : 'constant_estimates';
    comparisons[e] = cmp;
  }

  // §6 prevalence curves.
  const nullReasons: Record<string, NullReason> = {};
  let prevalenceCurves: PrevalenceCurves | null = null;
  if (sets.sizeE === 0) {
    nullReasons.prevalence_curves = 'no_mislabelled_examples';
  } else {
    const { sizeE, sizeC, sizeX } = sets;
    const pi0 = sizeE / (sizeE + sizeC);
    const grid = prevalenceGrid(pi0, step, max);
    const curveModels: PrevalenceModelCurve[] = models.map((m, i) => {
      const c = counts[i]!;
      const aE = c.hitsCorrectedOnE / sizeE;
      const oE = c.hitsOriginalOnE / sizeE;
      const aC = sizeC === 0 ? null : c.hitsOnC / sizeC;
      const mix = (pi: number, e: number): number => (aC === null ? e : pi * e + (1 - pi) * aC);
      // At π₀ the mixture is the exact ratio (hits on E + hits on C) / (|E| + |C|).
      const at0 = (hitsE: number) => (hitsE + c.hitsOnC) / (sizeE + sizeC);
      return {
        name: m.name,
        accuracyOnMislabelled: aE,
        originalAccuracyOnMislabelled: oE,
        accuracyOnRest: aC,
        corrected: grid.map((pi, g) => (g === 0 ? at0(c.hitsCorrectedOnE) : mix(pi, aE))),
        original: grid.map((pi, g) => (g === 0 ? at0(c.hitsOriginalOnE) : mix(pi, oE))),
      };
    });
    const hitsC = counts.map((c) => c.hitsOnC);
    const toChange = (r: ReturnType<typeof firstRankingChange>): RankingChange | null =>
      r === null
        ? null
        : { prevalence: r.prevalence, immediate: r.immediate, overtaking: names[r.overtaking]!, overtaken: names[r.overtaken]! };
    prevalenceCurves = {
      source: v ? 'verified_corrections' : 'flagged',
      numMislabelled: sizeE,
      numExcluded: sizeX,
      numRest: sizeC,
      naturalPrevalence: pi0,
      step,
      max,
      prevalence: grid,
      models: curveModels,
      firstRankingChange: toChange(
        firstRankingChange(
          counts.map((c) => c.hitsCorrectedOnE),
          hitsC,
          sizeE,
          sizeC,
          max,
        ),
      ),
      firstRankingChangeOriginal: toChange(
        firstRankingChange(
          counts.map((c) => c.hitsOriginalOnE),
          hitsC,
          sizeE,
          sizeC,
          max,
        ),
      ),
    };
  }

  return {
    numExamples: n,
    numClasses: k,
    numLabelIssues: numFlagged,
    numVerified: v ? v.count : null,
    numDropped: v ? v.dropped : null,
    noiseMatrixCondition: inv.condition,
    models: accs,
    rankings,
    comparisons,
    prevalenceCurves,
    nullReasons,
  };
}

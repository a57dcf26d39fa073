/**
 * CROWDLAB: consensus labels, consensus quality, annotator agreement and annotator quality
 * for datasets labelled by several annotators (spec B5–B8; cleanlab
 * `get_label_quality_multiannotator`).
 */
import { InputError } from '../errors.js';
import { firstArgmax, pairwiseSum } from '../numeric.js';
import type { ProbMatrix } from '../types.js';
import { findBestTemperature, packedLabelDistribution, temperatureScale } from './calibration.js';
import { getMajorityVoteLabel } from './majority-vote.js';
import { meanOf, sumOf } from './numeric.js';
import { scoreLabels, type LabelQualityKwargs } from './scores.js';
import { MISSING, countAnnotations, type AnnotatorMatrix, type AnnotatorStat } from './types.js';
import { validateMultiannotator } from './validate.js';

export type QualityMethod = 'crowdlab' | 'agreement';
export type ConsensusMethod = 'best_quality' | 'majority_vote';

const CLIPPING_LOWER_BOUND = 1e-6;

export interface ConsensusStats {
  /** Per example: fraction of its annotators whose label equals the consensus. */
  annotatorAgreement: Float64Array;
  consensusQualityScore: Float64Array;
  /** N×K posterior (crowdlab) or packed label distribution (agreement). */
  posterior: ProbMatrix;
  /** crowdlab only. */
  modelWeight: number | undefined;
  /** crowdlab only: one weight per annotator. */
  annotatorWeight: Float64Array | undefined;
  /** crowdlab only: likelihood that an annotator picks the consensus label (CL). */
  consensusLikelihood: number | undefined;
}

/** ag[i] = (# annotators of i whose label == c[i]) / n_i. */
export function annotatorAgreementWithConsensus(labels: AnnotatorMatrix, consensus: Int32Array): Float64Array {
  const { data, n, m } = labels;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let ni = 0;
    let agree = 0;
    for (let a = 0; a < m; a++) {
      const v = data[i * m + a]!;
      if (v === MISSING) continue;
      ni++;
      if (v === consensus[i]) agree++;
    }
    out[i] = agree / ni;
  }
  return out;
}

/**
 * α_a (spec B5.4): weighted average over a's rows of (#{b: L[i][b] == L[i][a]} − 1)/(n_i − 1)
 * with weights n_i − 1; NaN if a never shares a row; NaNs imputed with the mean of the rest.
 */
export function annotatorAgreementWithAnnotators(labels: AnnotatorMatrix, numAnnotations: Int32Array): Float64Array {
  const { data, n, m } = labels;
  const alpha = new Float64Array(m);
  const prod: number[] = [];
  for (let a = 0; a < m; a++) {
    prod.length = 0;
    let weightSum = 0;
    for (let i = 0; i < n; i++) {
      const va = data[i * m + a]!;
      if (va === MISSING) continue;
      const ni = numAnnotations[i]!;
      let per = 0;
      if (ni > 1) {
        let same = 0;
        for (let b = 0; b < m; b++) if (data[i * m + b]! === va) same++;
        per = (same - 1) / (ni - 1);
      }
      // np.average(per, weights=n_i - 1): Σ per·w (pairwise, zero terms included) / Σ w.
      prod.push(per * (ni - 1));
      weightSum += ni - 1;
    }
    alpha[a] = weightSum === 0 ? NaN : sumOf(prod) / weightSum;
  }
  const valid: number[] = [];
  for (let a = 0; a < m; a++) if (!Number.isNaN(alpha[a]!)) valid.push(alpha[a]!);
  const fill = meanOf(valid);
  for (let a = 0; a < m; a++) if (Number.isNaN(alpha[a]!)) alpha[a] = fill;
  return alpha;
}

/** Posterior and weights of the crowdlab quality method (spec B5.2–B5.7). */
function crowdlabPosterior(
  labels: AnnotatorMatrix,
  pp: ProbMatrix,
  numAnnotations: Int32Array,
  consensus: Int32Array,
  agreement: Float64Array,
): { posterior: ProbMatrix; modelWeight: number; annotatorWeight: Float64Array; consensusLikelihood: number } {
  const { data, n, m } = labels;
  const k = pp.k;
  const multi: number[] = [];
  for (let i = 0; i < n; i++) if (numAnnotations[i] !== 1) multi.push(i);
  const cl = meanOf(multi.map((i) => agreement[i]!));
  const ncl = (1 - cl) / (k - 1);
  // Most-likely-class error, with k* taken from the consensus labels.
  const bincount = new Float64Array(k);
  for (const i of multi) bincount[consensus[i]!]!++;
  const kStar = firstArgmax(bincount, 0, k);
  let differ = 0;
  for (const i of multi) if (consensus[i] !== kStar) differ++;
  const e0 = Math.max(differ / multi.length, CLIPPING_LOWER_BOUND);
  const alpha = annotatorAgreementWithAnnotators(labels, numAnnotations);
  const w = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    const v = 1 - (1 - alpha[a]!) / e0;
    w[a] = Number.isNaN(v) ? NaN : Math.max(v, CLIPPING_LOWER_BOUND);
  }
  let modelErrors = 0;
  for (const i of multi) if (firstArgmax(pp.data, i * k, k) !== consensus[i]) modelErrors++;
  const eModel = modelErrors / multi.length;
  const meanN = meanOf(numAnnotations);
  const modelWeight = Math.max(1 - eModel / e0, CLIPPING_LOWER_BOUND) * Math.sqrt(meanN);
  const post = new Float64Array(n * k);
  const terms = new Float64Array(m + 1);
  const weights = new Float64Array(m);
  const who = new Int32Array(m);
  for (let i = 0; i < n; i++) {
    // tot_i = (Σ w_a over i's annotators, column order, from 0.0) + W — in this order
    // (spec B5.7); the numerator starts with P·W. Bit-exact to the fixtures this way.
    let na = 0;
    for (let a = 0; a < m; a++) {
      if (data[i * m + a]! !== MISSING) {
        who[na] = a;
        weights[na++] = w[a]!;
      }
    }
    const tot = pairwiseSum(weights, 0, na) + modelWeight;
    for (let c = 0; c < k; c++) {
      terms[0] = pp.data[i * k + c]! * modelWeight;
      for (let j = 0; j < na; j++) {
        const a = who[j]!;
        terms[j + 1] = (data[i * m + a]! === c ? cl : ncl) * w[a]!;
      }
      post[i * k + c] = pairwiseSum(terms, 0, na + 1) / tot;
    }
  }
  return { posterior: { data: post, n, k }, modelWeight, annotatorWeight: w, consensusLikelihood: cl };
}

/** `_get_consensus_stats`: agreement, posterior (+ weights), consensus quality for consensus `c`. */
export function consensusStats(
  labels: AnnotatorMatrix,
  pp: ProbMatrix | undefined,
  k: number,
  numAnnotations: Int32Array,
  consensus: Int32Array,
  qualityMethod: QualityMethod,
  lqsKwargs: LabelQualityKwargs = {},
): ConsensusStats {
  const agreement = annotatorAgreementWithConsensus(labels, consensus);
  if (qualityMethod === 'crowdlab') {
    if (pp === undefined) throw new InputError('pred_probs', "pred_probs are required for quality_method 'crowdlab'");
    const r = crowdlabPosterior(labels, pp, numAnnotations, consensus, agreement);
    return {
      annotatorAgreement: agreement,
      consensusQualityScore: scoreLabels(consensus, r.posterior, lqsKwargs),
      posterior: r.posterior,
      modelWeight: r.modelWeight,
      annotatorWeight: r.annotatorWeight,
      consensusLikelihood: r.consensusLikelihood,
    };
  }
  // 'agreement': packed label counts / n_i (quirk B6), quality = agreement.
  return {
    annotatorAgreement: agreement,
    consensusQualityScore: Float64Array.from(agreement),
    posterior: { data: packedLabelDistribution(labels, k), n: labels.n, k },
    modelWeight: undefined,
    annotatorWeight: undefined,
    consensusLikelihood: undefined,
  };
}

/** best_quality: first_argmax of the posterior if its maximum is unique, else the majority vote. */
export function bestQualityConsensus(posterior: ProbMatrix, majorityVote: Int32Array): Int32Array {
  const { data, n, k } = posterior;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const off = i * k;
    let mx = -Infinity;
    let nan = false;
    for (let c = 0; c < k; c++) {
      const v = data[off + c]!;
      if (Number.isNaN(v)) nan = true;
      else if (v > mx) mx = v;
    }
    let count = 0;
    let at = -1;
    if (!nan) {
      for (let c = 0; c < k; c++) {
        if (data[off + c]! === mx) {
          count++;
          if (at < 0) at = c;
        }
      }
    }
    out[i] = count === 1 ? at : majorityVote[i]!;
  }
  return out;
}

/** Detailed table (spec B7.5): N×M, cell = quality of L[i][a] under the posterior; NaN if missing. */
export function detailedLabelQuality(
  labels: AnnotatorMatrix,
  posterior: ProbMatrix,
  lqsKwargs: LabelQualityKwargs = {},
): Float64Array {
  const { data, n, m } = labels;
  const k = posterior.k;
  const out = new Float64Array(n * m).fill(NaN);
  for (let a = 0; a < m; a++) {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (data[i * m + a]! !== MISSING) rows.push(i);
    if (rows.length === 0) continue;
    const sub = new Float64Array(rows.length * k);
    const lab = new Int32Array(rows.length);
    rows.forEach((i, j) => {
      lab[j] = data[i * m + a]!;
      for (let c = 0; c < k; c++) sub[j * k + c] = posterior.data[i * k + c]!;
    });
    const s = scoreLabels(lab, { data: sub, n: rows.length, k }, lqsKwargs);
    rows.forEach((i, j) => {
      out[i * m + a] = s[j]!;
    });
  }
  return out;
}

/**
 * Worst class of one annotator (spec B7.6): lowest accuracy vs consensus among the classes
 * the annotator used; then most rows; then highest mean consensus quality (pandas groupby
 * mean, Kahan-compensated); then the smallest class.
 */
export function worstClassOf(
  labels: AnnotatorMatrix,
  a: number,
  consensus: Int32Array,
  quality: Float64Array,
  k: number,
): number {
  const { data, n, m } = labels;
  const total = new Int32Array(k);
  const correct = new Int32Array(k);
  const qSum = new Float64Array(k);
  const qComp = new Float64Array(k);
  const qCount = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const v = data[i * m + a]!;
    if (v === MISSING) continue;
    total[v]!++;
    if (consensus[i] === v) correct[v]!++;
    const q = quality[i]!;
    if (!Number.isNaN(q)) {
      const y = q - qComp[v]!;
      const t = qSum[v]! + y;
      qComp[v] = t - qSum[v]! - y;
      qSum[v] = t;
      qCount[v]!++;
    }
  }
  let classes: number[] = [];
  for (let c = 0; c < k; c++) if (total[c]! > 0) classes.push(c);
  if (classes.length === 0) return -1;
  const acc = (c: number): number => correct[c]! / total[c]!;
  const minAcc = Math.min(...classes.map(acc));
  classes = classes.filter((c) => acc(c) === minAcc);
  if (classes.length === 1) return classes[0]!;
  const maxCount = Math.max(...classes.map((c) => total[c]!));
  classes = classes.filter((c) => total[c] === maxCount);
  if (classes.length === 1) return classes[0]!;
  const meanQ = (c: number): number => (qCount[c]! > 0 ? qSum[c]! / qCount[c]! : NaN);
  const maxQ = Math.max(...classes.map(meanQ));
  const best = classes.filter((c) => meanQ(c) === maxQ);
  return best.length > 0 ? best[0]! : classes[0]!;
}

export interface AnnotatorStatsInput {
  labels: AnnotatorMatrix;
  posterior: ProbMatrix;
  consensus: Int32Array;
  numAnnotations: Int32Array;
  consensusQualityScore: Float64Array;
  modelWeight: number | undefined;
  annotatorWeight: Float64Array | undefined;
  /** N×M detailed table (NaN = missing), if computed. */
  detailed: Float64Array | undefined;
  qualityMethod: QualityMethod;
}

/** Mean of [L[i][a] == c[i]] over a's rows with n_i ≥ 2 (NaN if none). */
function agreementOnSharedRows(labels: AnnotatorMatrix, a: number, consensus: Int32Array, numAnnotations: Int32Array): number {
  const { data, n, m } = labels;
  let tot = 0;
  let agree = 0;
  for (let i = 0; i < n; i++) {
    if (numAnnotations[i] === 1) continue;
    const v = data[i * m + a]!;
    if (v === MISSING) continue;
    tot++;
    if (v === consensus[i]) agree++;
  }
  return tot === 0 ? NaN : agree / tot;
}

/** `annotator_stats` (spec B7.6), sorted ascending by (quality, agreement), stable, NaN last. */
export function annotatorStats(input: AnnotatorStatsInput): AnnotatorStat[] {
  const { labels, posterior, consensus, numAnnotations, consensusQualityScore, qualityMethod } = input;
  const { data, n, m } = labels;
  const k = posterior.k;
  const quality = new Float64Array(m);
  if (qualityMethod === 'crowdlab') {
    const lqs = new Float64Array(m);
    if (input.detailed !== undefined) {
      // np.nanmean(detailed, axis=0): the table is column-contiguous (apply_along_axis),
      // so each column is pairwise-summed with 0 in place of NaN, divided by its count.
      const col = new Float64Array(n);
      for (let a = 0; a < m; a++) {
        let cnt = 0;
        for (let i = 0; i < n; i++) {
          const v = input.detailed[i * m + a]!;
          if (Number.isNaN(v)) col[i] = 0;
          else {
            col[i] = v;
            cnt++;
          }
        }
        lqs[a] = sumOf(col) / cnt;
      }
    } else {
      // Recomputed with the default self_confidence, without label_quality_score_kwargs (quirk).
      const detail = detailedLabelQuality(labels, posterior, {});
      for (let a = 0; a < m; a++) {
        const xs: number[] = [];
        for (let i = 0; i < n; i++) if (data[i * m + a]! !== MISSING) xs.push(detail[i * m + a]!);
        lqs[a] = meanOf(xs);
      }
    }
    const w = input.annotatorWeight!;
    const avgNumAnnotationsFrac = meanOf(numAnnotations) / w.length;
    const wAdj = sumOf(w) * avgNumAnnotationsFrac;
    const W = input.modelWeight!;
    const omega = W / (W + wAdj);
    for (let a = 0; a < m; a++) {
      const agr = agreementOnSharedRows(labels, a, consensus, numAnnotations);
      quality[a] = omega * lqs[a]! + (1 - omega) * agr;
    }
  } else {
    for (let a = 0; a < m; a++) quality[a] = agreementOnSharedRows(labels, a, consensus, numAnnotations);
  }
  return annotatorStatsFromQuality(labels, consensus, consensusQualityScore, quality, k);
}

/**
 * One record per annotator from its quality score (any method): agreement with the
 * consensus, worst class, number of examples labelled; sorted by sortAnnotatorStats.
 */
export function annotatorStatsFromQuality(
  labels: AnnotatorMatrix,
  consensus: Int32Array,
  consensusQualityScore: Float64Array,
  annotatorQuality: Float64Array,
  k: number,
): AnnotatorStat[] {
  const { data, n, m } = labels;
  const stats: AnnotatorStat[] = [];
  for (let a = 0; a < m; a++) {
    let labelled = 0;
    let agree = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * m + a]!;
      if (v === MISSING) continue;
      labelled++;
      if (v === consensus[i]) agree++;
    }
    stats.push({
      annotator: a,
      annotatorQuality: annotatorQuality[a]!,
      agreementWithConsensus: agree / labelled,
      worstClass: worstClassOf(labels, a, consensus, consensusQualityScore, k),
      numExamplesLabeled: labelled,
    });
  }
  return sortAnnotatorStats(stats);
}

/** Ascending by (annotator_quality, agreement_with_consensus); stable; NaN last per key. */
export function sortAnnotatorStats(stats: AnnotatorStat[]): AnnotatorStat[] {
  const cmpKey = (x: number, y: number): number => {
    const xn = Number.isNaN(x);
    const yn = Number.isNaN(y);
    if (xn || yn) return xn === yn ? 0 : xn ? 1 : -1;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return stats
    .map((s, pos) => ({ s, pos }))
    .sort(
      (p, q) =>
        cmpKey(p.s.annotatorQuality, q.s.annotatorQuality) ||
        cmpKey(p.s.agreementWithConsensus, q.s.agreementWithConsensus) ||
        p.pos - q.pos,
    )
    .map((p) => p.s);
}

export interface MultiannotatorOptions {
  /** One method or a list processed in order; the first drives the detailed table and stats. */
  consensusMethod?: ConsensusMethod | readonly ConsensusMethod[];
  qualityMethod?: QualityMethod;
  calibrateProbs?: boolean;
  returnDetailedQuality?: boolean;
  returnAnnotatorStats?: boolean;
  returnWeights?: boolean;
  labelQualityScoreKwargs?: LabelQualityKwargs;
  /** Number of classes when pred_probs is absent (agreement method); default max label + 1. */
  numClasses?: number;
}

export interface ConsensusColumns {
  method: ConsensusMethod;
  consensusLabel: Int32Array;
  consensusQualityScore: Float64Array;
  annotatorAgreement: Float64Array;
}

export interface MultiannotatorResult {
  /** Columns of the first consensus method. */
  consensusLabel: Int32Array;
  consensusQualityScore: Float64Array;
  annotatorAgreement: Float64Array;
  numAnnotations: Int32Array;
  /** Every method in order (the first equals the columns above). */
  methods: ConsensusColumns[];
  /** N×M, NaN where missing (if requested). */
  detailedLabelQuality: Float64Array | undefined;
  annotatorStats: AnnotatorStat[] | undefined;
  modelWeight: number | undefined;
  annotatorWeight: Float64Array | undefined;
  /** Posterior of the first method (N×K). */
  posterior: ProbMatrix;
  /** pred_probs after calibration (or as given). */
  predProbs: ProbMatrix | undefined;
  temperature: number | undefined;
  /** Rows resolved by the deterministic last-resort majority-vote tie-break. */
  randomTieRows: number[];
  warnings: string[];
}

/**
 * `get_label_quality_multiannotator`. pred_probs may be omitted only with
 * qualityMethod 'agreement' (then K = numClasses or max label + 1 and the majority vote
 * has no pred_probs tie-break).
 */
export function getLabelQualityMultiannotator(
  labels: AnnotatorMatrix,
  predProbs: ProbMatrix | undefined,
  opts: MultiannotatorOptions = {},
): MultiannotatorResult {
  const qualityMethod = opts.qualityMethod ?? 'crowdlab';
  const methods: ConsensusMethod[] =
    opts.consensusMethod === undefined
      ? ['best_quality']
      : typeof opts.consensusMethod === 'string'
        ? [opts.consensusMethod]
        : [...opts.consensusMethod];
  const returnDetailed = opts.returnDetailedQuality ?? true;
  const returnStats = opts.returnAnnotatorStats ?? true;
  const lqsKwargs = opts.labelQualityScoreKwargs ?? {};
  if (qualityMethod !== 'crowdlab' && qualityMethod !== 'agreement') {
    throw new InputError('quality_method', `quality_method must be 'crowdlab' or 'agreement', got '${String(qualityMethod)}'`);
  }
  if (opts.returnWeights && qualityMethod !== 'crowdlab') {
    throw new InputError('return_weights', "return_weights is only available with quality_method 'crowdlab'");
  }
  if (methods.length === 0) throw new InputError('consensus_method', 'consensus_method must name at least one method');
  for (const mth of methods) {
    if (mth !== 'best_quality' && mth !== 'majority_vote') {
      throw new InputError('consensus_method', `consensus_method must be 'best_quality' or 'majority_vote', got '${String(mth)}'`);
    }
  }
  if (predProbs === undefined && qualityMethod === 'crowdlab') {
    throw new InputError('pred_probs', "pred_probs are required for quality_method 'crowdlab'; use quality_method 'agreement' (majority vote) without a model");
  }
  const warnings = validateMultiannotator(labels, predProbs);
  let k: number;
  if (predProbs !== undefined) k = predProbs.k;
  else {
    let mx = -1;
    for (const v of labels.data) if (v > mx) mx = v;
    k = opts.numClasses ?? mx + 1;
    if (k < mx + 1) throw new InputError('num_classes', `num_classes is ${k} but labels_multiannotator uses class ${mx}`);
  }
  const numAnnotations = countAnnotations(labels);
  let pp = predProbs;
  let temperature: number | undefined;
  if (opts.calibrateProbs && pp !== undefined) {
    temperature = findBestTemperature(labels, pp).temperature;
    pp = temperatureScale(pp, temperature);
  }
  const mvResult = getMajorityVoteLabel(labels, pp, k);
  warnings.push(...mvResult.warnings);
  const mv = mvResult.labels;
  const mvStats = consensusStats(labels, pp, k, numAnnotations, mv, qualityMethod, lqsKwargs);
  const columns: ConsensusColumns[] = [];
  let first: { consensus: Int32Array; stats: ConsensusStats } | undefined;
  for (const mth of methods) {
    let consensus: Int32Array;
    let stats: ConsensusStats;
    if (mth === 'majority_vote') {
      consensus = mv;
      stats = mvStats;
    } else {
      consensus = bestQualityConsensus(mvStats.posterior, mv);
      stats = consensusStats(labels, pp, k, numAnnotations, consensus, qualityMethod, lqsKwargs);
    }
    columns.push({
      method: mth,
      consensusLabel: consensus,
      consensusQualityScore: stats.consensusQualityScore,
      annotatorAgreement: stats.annotatorAgreement,
    });
    first ??= { consensus, stats };
  }
  const { consensus, stats } = first!;
  const detailed = returnDetailed ? detailedLabelQuality(labels, stats.posterior, lqsKwargs) : undefined;
  const annStats = returnStats
    ? annotatorStats({
        labels,
        posterior: stats.posterior,
        consensus,
        numAnnotations,
        consensusQualityScore: stats.consensusQualityScore,
        modelWeight: stats.modelWeight,
        annotatorWeight: stats.annotatorWeight,
        detailed,
        qualityMethod,
      })
    : undefined;
  return {
    consensusLabel: consensus,
    consensusQualityScore: stats.consensusQualityScore,
    annotatorAgreement: stats.annotatorAgreement,
    numAnnotations,
    methods: columns,
    detailedLabelQuality: detailed,
    annotatorStats: annStats,
    modelWeight: opts.returnWeights ? stats.modelWeight : undefined,
    annotatorWeight: opts.returnWeights ? stats.annotatorWeight : undefined,
    posterior: stats.posterior,
    predProbs: pp,
    temperature,
    randomTieRows: mvResult.randomTieRows,
    warnings,
  };
}

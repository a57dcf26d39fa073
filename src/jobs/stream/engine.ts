/**
 * The chunked engine (streaming.md §1–§3, §6): label-issues, confident-joint and
 * dataset-health over `.npy` files on disk, read in row chunks within a memory budget,
 * with results identical to the in-memory service (same flagged rows, order, matrices).
 *
 * Passes (streaming.md §2):
 *   0  labels only: validate, class counts c[k]
 *   1  labels + P: validate rows, value range, per-class pairwise-sum state → thresholds t
 *   2  labels + P: confident joint counts, off-diagonal rows, near-argmax filter,
 *      `confident_learning` / `predicted_neq_given` flagged rows with their scores,
 *      prediction-by-label counts for the accuracy block
 *   —  K×K: diagonal clip, calibration, joint, latent estimates, prune matrix Q, health
 *   3  (prune_by_*, both, low_*) labels + P: bounded selections (§1.4)
 *
 * Every formula comes from src/core: per-chunk views go through the core kernels
 * (countConfidentJoint with the global thresholds, scoreRows, firstArgmax,
 * givenIsNearArgmax, valueRange), the K×K steps through the core functions fed with the
 * ConfidentJointResult that confidentJointFromCounts assembles from the merged integer
 * counts, the label checks through their counts-based entry points, and the response
 * bodies through the service's body builders.
 */
import { referenceAccuracyFromCounts } from '../../core/accuracy.js';
import { argsortBy } from '../../core/argsort.js';
import {
  assertValidLabelCounts,
  assertValidRange,
  confidentJointFromCounts,
  countConfidentJoint,
  estimateJointFlat,
  toMatrix,
  estimatePyAndNoiseMatricesFromProbabilities,
  numLabelIssuesFromCounts,
  thresholdsFromSums,
  valueRange,
  type ConfidentJointResult,
} from '../../core/count.js';
import {
  findOverlappingClasses,
  overallLabelHealthScoreFromCounts,
  rankClassesByLabelQuality,
} from '../../core/dataset.js';
import { InputError } from '../../core/errors.js';
import { checkFindLabelIssuesOptions, planPruneSelections, pruneCountColumns } from '../../core/filter.js';
import { firstArgmax, givenIsNearArgmax } from '../../core/numeric.js';
import { assertScoringOptions, scoreRows } from '../../core/rank.js';
import type { FilterBy, ProbMatrix, RankBy } from '../../core/types.js';
import { npyToLabelValues, npyToProbMatrix, type NpyHeader } from '../../io/npy.js';
import { toLabels, validateClassificationInput, validateClassNames, validatePredProbs } from '../../io/validate.js';
import type { ConfidentJointOptions } from '../../schemas/confident-joint.js';
import type { DatasetHealthOptions } from '../../schemas/dataset-health.js';
import type { LabelIssuesOptions } from '../../schemas/label-issues.js';
import { confidentJointBody } from '../../service/confident-joint.js';
import { datasetHealthBody } from '../../service/dataset-health.js';
import { getEndpoint } from '../../service/index.js';
import { checkLabelIssuesOptions, labelIssuesBody } from '../../service/label-issues.js';
import { parseOptions } from '../../service/options.js';
import type { JobOutput } from '../executor.js';
import type { JobKind, JobProgress } from '../store/types.js';
import { NpyFileReader } from './npy-file.js';
import { StreamingPairwiseSum } from './psum.js';
import { BoundedSelection, grown, SelectionEntries } from './select.js';

export interface ChunkPaths {
  predProbs: string;
  labels: string;
}

export interface EngineContext {
  memoryBudgetBytes: number;
  /** Testing hook: cap the rows per chunk. */
  maxChunkRows: number | null;
  checkpoint(p: JobProgress): Promise<void>;
}

const STREAMED_KINDS: readonly JobKind[] = ['label-issues', 'confident-joint', 'dataset-health'];
const PRUNE_METHODS: readonly FilterBy[] = ['prune_by_noise_rate', 'prune_by_class', 'both'];
/** Upper bound on rows per chunk (progress granularity). */
const MAX_CHUNK_ROWS = 1 << 20;

/**
 * Can this job run in the chunked engine? null if yes, else why not (the executor then
 * falls back to the in-memory service when the files fit the memory budget).
 */
export function chunkedSupport(kind: JobKind, fields: readonly string[], options: Record<string, unknown>): string | null {
  if (!STREAMED_KINDS.includes(kind)) return `${kind} jobs are computed in memory`;
  const f = [...fields].sort().join(',');
  if (f !== 'labels,pred_probs') return `${kind} jobs over uploads read exactly the files labels and pred_probs (got ${fields.join(', ')})`;
  if (kind === 'label-issues' && options.include_scores === true) {
    return 'include_scores returns one score per example in the result body';
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Chunk reading

function headerOnly(h: Pick<NpyHeader, 'dtype' | 'kind' | 'shape'>) {
  return { dtype: h.dtype, kind: h.kind, shape: h.shape, data: new Float64Array(0) };
}

/**
 * The shape checks of the in-memory service (src/io: dtype and rank of each file, then
 * N ≥ 1, K ≥ 2 and equal lengths, in validateClassificationInput's words), from the
 * `.npy` headers alone.
 */
export function checkClassificationShapes(
  pp: Pick<NpyHeader, 'dtype' | 'kind' | 'shape'>,
  lb: Pick<NpyHeader, 'dtype' | 'kind' | 'shape'>,
): { n: number; k: number } {
  const { n, k } = npyToProbMatrix(headerOnly(pp), 'pred_probs');
  npyToLabelValues(headerOnly(lb), 'labels');
  const nl = lb.shape[0]!;
  if (n < 1 || k < 2 || nl !== n) {
    // Let the one validation module phrase it: these checks come before any value is read.
    validateClassificationInput({ labels: { length: nl } as ArrayLike<number>, predProbs: { data: new Float64Array(0), n, k } });
    throw new InputError('pred_probs', `pred_probs has shape (${n}, ${k}) and labels ${nl} rows`);
  }
  return { n, k };
}

interface Chunk {
  start: number;
  count: number;
  labels: Int32Array;
  pp: ProbMatrix;
}

class ChunkedInput {
  readonly n: number;
  readonly k: number;
  readonly rowsPerChunk: number;
  passes = 3;

  private constructor(
    private P: NpyFileReader,
    private L: NpyFileReader,
    private ctx: EngineContext,
  ) {
    this.n = P.rows;
    this.k = P.rowElements;
    // Per row: the P bytes read, a decoded copy when the file is float16/big-endian, 8k
    // bytes of headroom, labels (raw + Int32), scores and kernel scratch. Half the budget
    // goes to chunks, the rest to selections/flags.
    const k = this.k;
    const h = P.header;
    const copy = h.itemSize === 2 || !h.littleEndian ? 4 * k : 0;
    const rowBytes = k * h.itemSize + copy + 8 * k + L.header.itemSize + 4 + 48;
    const fit = Math.floor(ctx.memoryBudgetBytes / 2 / rowBytes);
    this.rowsPerChunk = Math.max(1, Math.min(fit, MAX_CHUNK_ROWS, ctx.maxChunkRows ?? Infinity, Math.max(this.n, 1)));
  }

  static async open(paths: ChunkPaths, ctx: EngineContext): Promise<ChunkedInput> {
    // Same order of checks as the in-memory service (src/io ingestNpy → validateClassificationInput).
    const P = await NpyFileReader.open(paths.predProbs, 'pred_probs');
    try {
      npyToProbMatrix(headerOnly(P.header), 'pred_probs');
      const L = await NpyFileReader.open(paths.labels, 'labels');
      try {
        checkClassificationShapes(P.header, L.header);
        return new ChunkedInput(P, L, ctx);
      } catch (e) {
        await L.close();
        throw e;
      }
    } catch (e) {
      await P.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.P.close();
    await this.L.close();
  }

  /** One pass over the rows, in chunks; reports progress after each chunk. */
  async *pass(pass: number, withP: boolean): AsyncGenerator<Chunk> {
    const { n, k } = this;
    for (let start = 0; start < n; start += this.rowsPerChunk) {
      const count = Math.min(this.rowsPerChunk, n - start);
      const rawLabels = await this.L.read(start, count);
      const labels = toLabels(rawLabels as ArrayLike<number> | BigInt64Array | BigUint64Array, k, 'labels', undefined, {
        rowOffset: start,
      });
      let pp: ProbMatrix = { data: new Float64Array(0), n: count, k };
      if (withP) {
        const data = (await this.P.read(start, count)) as Float32Array | Float64Array;
        pp = { data, n: count, k };
      }
      yield { start, count, labels, pp };
      await this.ctx.checkpoint({ pass, passes: this.passes, rows_done: start + count, rows_total: n });
    }
  }
}

// ---------------------------------------------------------------------------------------
// Flagged rows

/** Growable list of flagged rows with what the output and the ranking need. */
class RowList {
  index = new Float64Array(64);
  given = new Int32Array(64);
  suggested = new Int32Array(64);
  score = new Float64Array(64);
  length = 0;

  push(index: number, given: number, suggested: number, score: number): void {
    if (this.length === this.index.length) {
      const cap = this.length * 2;
      this.index = grown(this.index, cap);
      this.given = grown(this.given, cap);
      this.suggested = grown(this.suggested, cap);
      this.score = grown(this.score, cap);
    }
    const i = this.length++;
    this.index[i] = index;
    this.given[i] = given;
    this.suggested[i] = suggested;
    this.score[i] = score;
  }

  get bytes(): number {
    return this.index.length * 24;
  }
}

function checkMemory(bytes: number, budget: number, what: string): void {
  if (bytes > budget / 2) {
    throw new InputError(
      'options',
      `${what} needs ${(bytes / 2 ** 20).toFixed(0)} MB, more than half the job memory budget ` +
        `(${(budget / 2 ** 20).toFixed(0)} MB, JOB_MEMORY_BUDGET_MB); raise the budget or use a filter that flags fewer rows`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// The engine

export async function runChunked(
  kind: JobKind,
  paths: ChunkPaths,
  rawOptions: Record<string, unknown>,
  ctx: EngineContext,
): Promise<JobOutput> {
  const endpoint = getEndpoint(kind);
  // Options first, as the synchronous route does (a typo should not wait for the data).
  const options = parseOptions(endpoint.optionsSchema, rawOptions) as Record<string, unknown>;
  const input = await ChunkedInput.open(paths, ctx);
  try {
    return await compute(kind, input, options, ctx);
  } finally {
    await input.close();
  }
}

async function compute(kind: JobKind, input: ChunkedInput, options: Record<string, unknown>, ctx: EngineContext): Promise<JobOutput> {
  const { n, k } = input;
  const classNames = validateClassNames(options.class_names, k);
  const li = kind === 'label-issues' ? (options as LabelIssuesOptions) : null;
  const filterBy = li?.filter_by ?? 'prune_by_noise_rate';
  const needsPass3 = li !== null && (PRUNE_METHODS.includes(filterBy) || filterBy.startsWith('low_'));
  input.passes = needsPass3 ? 4 : 3;

  // ---- pass 0: labels
  const counts = new Float64Array(k);
  for await (const ch of input.pass(0, false)) {
    const l = ch.labels;
    for (let r = 0; r < ch.count; r++) counts[l[r]!]!++;
  }

  // ---- pass 1: validate pred_probs, value range, thresholds
  const sums: StreamingPairwiseSum[] = [];
  for (let c = 0; c < k; c++) sums.push(new StreamingPairwiseSum(counts[c]!));
  let min = Infinity;
  let max = -Infinity;
  for await (const ch of input.pass(1, true)) {
    validatePredProbs(ch.pp, 'pred_probs', { rowOffset: ch.start });
    const r = valueRange(ch.pp);
    if (r.min < min) min = r.min;
    if (r.max > max) max = r.max;
    const d = ch.pp.data;
    const l = ch.labels;
    for (let i = 0; i < ch.count; i++) {
      const s = l[i]!;
      sums[s]!.push(d[i * k + s]!);
    }
  }
  const range = { min, max };
  const thresholds = thresholdsFromSums(sums.map((s) => s.result()), counts);

  // ---- checks of the in-memory service, in its order, now that every value is known
  const warnings: string[] = [];
  let rankBy: RankBy = 'self_confidence';
  let adjust = false;
  if (li) {
    rankBy = li.rank_by;
    adjust = li.adjust_pred_probs;
    checkLabelIssuesOptions(li, k);
    // core filter.ts findImpl, its label checks on the class counts
    assertValidLabelCounts(counts, 'zero-only');
    checkFindLabelIssuesOptions(filterBy, li.frac_noise, li.num_to_remove_per_class, k, warnings);
    assertValidRange(range);
    // core rank.ts getLabelQualityScores
    assertScoringOptions(rankBy, adjust, range, 'rank_by');
  }

  // ---- pass 2: confident joint, off-diagonal rows, pass-2 flagged sets, accuracy counts
  const raw = new Float64Array(k * k);
  const confusion = new Float64Array(k * k); // rows: suggested (argmax), columns: given
  const adjustT = adjust ? thresholds : null;
  const collect = li !== null && (filterBy === 'confident_learning' || filterBy === 'predicted_neq_given');
  const flagged = new RowList();
  let offDiagonalIssues = 0;
  const cand: number[] = [];
  for await (const ch of input.pass(2, true)) {
    const part = countConfidentJoint(ch.labels, ch.pp, thresholds);
    const cj = part.counts;
    for (let i = 0; i < k * k; i++) raw[i] = raw[i]! + cj[i]!;
    offDiagonalIssues += part.offDiagonalIssues;
    const off = part.offDiagonal;
    const d = ch.pp.data;
    const l = ch.labels;
    if (li) {
      for (let i = 0; i < ch.count; i++) confusion[firstArgmax(d, i * k, k) * k + l[i]!]!++;
    }
    if (collect) {
      cand.length = 0;
      if (filterBy === 'confident_learning') {
        for (let t = 0; t < off.length; t++) cand.push(off[t]!);
      } else {
        for (let i = 0; i < ch.count; i++) if (firstArgmax(d, i * k, k) !== l[i]!) cand.push(i);
      }
      const keep = cand.filter((i) => !givenIsNearArgmax(d, i * k, k, l[i]!));
      if (keep.length > 0) {
        const sc = scoreRows(l, ch.pp, rankBy, adjustT, Int32Array.from(keep));
        for (let t = 0; t < keep.length; t++) {
          const i = keep[t]!;
          flagged.push(ch.start + i, l[i]!, firstArgmax(d, i * k, k), sc[t]!);
        }
        checkMemory(flagged.bytes, ctx.memoryBudgetBytes, 'Keeping the flagged rows');
      }
    }
  }

  // ---- K×K: clip, calibrate, joint, latent estimates (core, on the merged counts)
  const pre = confidentJointFromCounts(
    { counts: raw, offDiagonal: new Int32Array(0), offDiagonalIssues, min, max },
    counts,
    thresholds,
    { n, tieOrder: 'stable' },
  );
  // num_label_issues (off_diagonal) through the core, which also applies its label checks
  const numIssues = numLabelIssuesFromCounts(pre);
  const jointFlat = estimateJointFlat(null, null, { precomputed: pre });
  const joint = toMatrix(jointFlat.flat, jointFlat.k);
  const latentOf = () =>
    estimatePyAndNoiseMatricesFromProbabilities(new Int32Array(0), { data: new Float64Array(0), n: 0, k }, { precomputed: pre });

  if (kind === 'confident-joint') {
    const body = confidentJointBody({ cj: pre, joint, latent: latentOf(), numLabelIssues: numIssues }, options as ConfidentJointOptions);
    return { body, labelIssues: null };
  }

  const classes = rankClassesByLabelQuality(null, null, { jointFlat, numExamples: n });
  const overall = overallLabelHealthScoreFromCounts(pre, n);

  if (kind === 'dataset-health') {
    const o = options as DatasetHealthOptions;
    const overlaps = findOverlappingClasses(null, null, { joint, numExamples: n, asymmetric: o.asymmetric });
    const body = datasetHealthBody({ numExamples: n, numClasses: k, classes, overall, overlaps, numLabelIssues: numIssues }, classNames);
    return { body, labelIssues: null };
  }

  // ---- label-issues
  const o = li!;
  if (needsPass3) {
    await selectPass3(input, o, filterBy, pre, adjustT, rankBy, offDiagonalIssues, flagged, warnings, ctx);
  }
  const latent = latentOf();

  // ranking: ascending score, ties by lower row (flagged rows are in increasing row order)
  const m = flagged.length;
  const order = argsortBy(flagged.score.subarray(0, m), 'stable');
  const shown = o.limit === 0 ? m : Math.min(o.limit, m);
  const cols = {
    index: new Float64Array(shown),
    given: new Int32Array(shown),
    suggested: new Int32Array(shown),
    quality: new Float64Array(shown),
  };
  let hitsGivenOnFlagged = 0;
  for (let t = 0; t < m; t++) if (flagged.given[t] === flagged.suggested[t]) hitsGivenOnFlagged++;
  for (let r = 0; r < shown; r++) {
    const t = order[r]!;
    cols.index[r] = flagged.index[t]!;
    cols.given[r] = flagged.given[t]!;
    cols.suggested[r] = flagged.suggested[t]!;
    cols.quality[r] = flagged.score[t]!;
  }
  const accuracy = referenceAccuracyFromCounts({ confusion, n, k, numFlagged: m, hitsGivenOnFlagged, noiseMatrix: latent.noiseMatrix });
  const body = labelIssuesBody({ cj: pre, numLabelIssues: m, joint, latent, classes, overall, accuracy, warnings }, classNames);
  return { body, labelIssues: cols };
}

/**
 * Pass 3: the bounded selections of streaming.md §2 (prune_by_class: the u_k lowest
 * self-confidences per class; prune_by_noise_rate: the Q[j][k] largest margins
 * P[j] − P[k] per (k, j); low_*: the m lowest scores overall), then the union /
 * intersection and the near-argmax filter. Appends the result to `flagged` in row order.
 */
async function selectPass3(
  input: ChunkedInput,
  o: LabelIssuesOptions,
  filterBy: FilterBy,
  pre: ConfidentJointResult,
  adjustT: Float64Array | null,
  rankBy: RankBy,
  offDiagonalIssues: number,
  flagged: RowList,
  warnings: string[],
  ctx: EngineContext,
): Promise<void> {
  const k = input.k;
  const counts = pre.labelCounts;
  const minEx = o.min_examples_per_class;
  const low = filterBy === 'low_self_confidence' || filterBy === 'low_normalized_margin';
  let byClass: (BoundedSelection | null)[] = [];
  let byNoise: (BoundedSelection | null)[] = []; // index col * k + j
  // noise rate with Q[j][k] ≥ c[k]: every row of class k (one selection holding them all)
  const wholeSel: (BoundedSelection | null)[] = new Array<BoundedSelection | null>(k).fill(null);
  let lowSel: BoundedSelection | null = null;
  let lowMethod: RankBy = 'self_confidence';
  if (low) {
    lowMethod = filterBy === 'low_self_confidence' ? 'self_confidence' : 'normalized_margin';
    lowSel = new BoundedSelection(Math.min(offDiagonalIssues, input.n));
  } else {
    const columns = pruneCountColumns(pre.calibratedFlat, k, counts, minEx, o.frac_noise, o.num_to_remove_per_class, 'stable', warnings, pre.calibratedNonzeros);
    if (filterBy !== 'prune_by_noise_rate') byClass = new Array<BoundedSelection | null>(k).fill(null);
    if (filterBy !== 'prune_by_class') byNoise = new Array<BoundedSelection | null>(k * k).fill(null);
    // the selections (and warnings) of core filter.ts, each bounded by its count
    planPruneSelections(columns, k, counts, minEx, filterBy, warnings, (c, j, v) => {
      const m = counts[c]!;
      if (j < 0) byClass[c] = new BoundedSelection(Math.min(v, m));
      else if (v >= m) wholeSel[c] ??= new BoundedSelection(m);
      else byNoise[c * k + j] = new BoundedSelection(v);
    });
  }
  const noiseCols: number[][] = Array.from({ length: k }, () => []);
  for (let c = 0; c < k && byNoise.length > 0; c++) for (let j = 0; j < k; j++) if (byNoise[c * k + j]) noiseCols[c]!.push(j);

  const active = [...byClass, ...byNoise, ...wholeSel, lowSel].filter((x): x is BoundedSelection => x !== null && x !== undefined);
  for await (const ch of input.pass(3, true)) {
    const d = ch.pp.data;
    const l = ch.labels;
    const scores = scoreRows(l, ch.pp, rankBy, adjustT, null);
    if (lowSel) {
      const sel = scoreRows(l, ch.pp, lowMethod, null, null);
      for (let i = 0; i < ch.count; i++) {
        const row = ch.start + i;
        const key = sel[i]!;
        if (lowSel.accepts(key, row)) lowSel.insert(key, row, scores[i]!, l[i]!, firstArgmax(d, i * k, k), false);
      }
    } else {
      // Rows arrive in increasing index, so a selection takes a row iff key < its bound
      // (BoundedSelection.bound). The near-argmax flag and suggested label are computed
      // once per row, only when some selection takes it.
      for (let i = 0; i < ch.count; i++) {
        const s = l[i]!;
        const o2 = i * k;
        const row = ch.start + i;
        let near = -1;
        let sugg = -1;
        const bc = byClass[s];
        const wc = wholeSel[s];
        const cols = noiseCols[s]!;
        for (let t = -2; t < cols.length; t++) {
          let sl: BoundedSelection | null | undefined;
          let key: number;
          if (t === -2) {
            sl = bc;
            key = d[o2 + s]!;
          } else if (t === -1) {
            sl = wc;
            key = 0;
          } else {
            const j = cols[t]!;
            sl = byNoise[s * k + j];
            // as core filter.ts: key = −(P[j] − P[k]) computed as P[k] − P[j]
            key = d[o2 + s]! - d[o2 + j]!;
          }
          if (!sl || !(key < sl.bound)) continue;
          if (near < 0) {
            near = givenIsNearArgmax(d, o2, k, s) ? 1 : 0;
            sugg = firstArgmax(d, o2, k);
          }
          sl.insert(key, row, scores[i]!, s, sugg, near === 1);
        }
      }
    }
    let bytes = 0;
    for (const a of active) bytes += a.bytes;
    checkMemory(bytes, ctx.memoryBudgetBytes, 'The selections of this filter');
  }

  // Merge (typed arrays, sorted by row): family bit 1 = by class, 2 = by noise rate.
  const all = new SelectionEntries();
  if (lowSel) lowSel.appendTo(all, 3);
  for (const sl of byClass) if (sl) sl.appendTo(all, 1);
  for (const sl of [...byNoise, ...wholeSel]) if (sl) sl.appendTo(all, 2);
  const need = filterBy === 'prune_by_class' ? 1 : filterBy === 'prune_by_noise_rate' ? 2 : 3;
  const order = argsortBy(all.index.subarray(0, all.length), 'stable');
  for (let a = 0; a < order.length; ) {
    const first = order[a]!;
    const idx = all.index[first]!;
    let fam = 0;
    let b = a;
    for (; b < order.length && all.index[order[b]!] === idx; b++) fam |= all.fam[order[b]!]!;
    if ((fam & need) === need && (low || all.near[first] === 0)) {
      flagged.push(idx, all.given[first]!, all.suggested[first]!, all.score[first]!);
    }
    a = b;
  }
}

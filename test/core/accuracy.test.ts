import t from 'tap';
import {
  correctedAccuracy,
  estimatedTrueFromCounts,
  firstRankingChange,
  kendallTauB,
  pairwiseFlips,
  prevalenceGrid,
  rankOrder,
  referenceAccuracy,
  referenceAccuracyFromCounts,
  validateVerifiedCorrections,
  type AccuracyModel,
  type CorrectedAccuracyResult,
  type ModelAccuracy,
} from '../../src/core/accuracy.js';
import { InputError } from '../../src/core/errors.js';
import { lcg32 } from '../../seeds/synthetic.js';

const i32 = (a: number[]) => Int32Array.from(a);
const mask = (n: number, idx: number[]) => {
  const m = new Uint8Array(n);
  for (const i of idx) m[i] = 1;
  return m;
};
function fieldOfError(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof InputError ? e.field : `not an InputError: ${String(e)}`;
  }
  return undefined;
}
const close = (a: number | null | undefined, b: number, tol = 1e-12) =>
  typeof a === 'number' && Math.abs(a - b) <= tol;

// ---------------------------------------------------------------------------------------
// Running example (CA-spec §2, §3.2)

const S = i32([0, 0, 1, 1, 2, 2]);
const G = i32([2, 0, 0, 1, 1, 0]);
const F = mask(6, [0, 4]);
// T̂ of the running example (CL-spec §7): P(given = i | true = j).
const T_RUN = [
  [1, 0, 0.5],
  [0, 2 / 3, 0],
  [0, 1 / 3, 0.5],
];
const MODELS: AccuracyModel[] = [
  { name: 'A', predictions: G, reference: true },
  { name: 'B', predictions: i32([0, 0, 1, 1, 2, 2]) },
  { name: 'C', predictions: i32([2, 0, 1, 1, 1, 0]) },
];
const V_RUN = [
  { index: 0, label: 2 },
  { index: 4, label: null },
  { index: 5, label: 0 },
];

function run(opts: { verified?: boolean; prevalenceMax?: number } = {}): CorrectedAccuracyResult {
  return correctedAccuracy({
    labels: S,
    suggested: G,
    flaggedMask: F,
    numClasses: 3,
    noiseMatrix: T_RUN,
    models: MODELS,
    verified: opts.verified ? validateVerifiedCorrections(V_RUN, 6, 3) : null,
    ...(opts.prevalenceMax !== undefined ? { prevalenceMax: opts.prevalenceMax } : {}),
  });
}
const byName = (r: CorrectedAccuracyResult, name: string): ModelAccuracy => r.models.find((m) => m.name === name)!;

t.test('§3.2 worked example: every estimator as exact ratios', (t) => {
  const r = run({ verified: true });
  const want = {
    A: { given: 2 / 6, pruned: 2 / 4, corrected: 4 / 6, verified: 4 / 5 },
    B: { given: 6 / 6, pruned: 4 / 4, corrected: 4 / 6, verified: 3 / 5 },
    C: { given: 3 / 6, pruned: 3 / 4, corrected: 5 / 6, verified: 5 / 5 },
  };
  for (const [name, w] of Object.entries(want)) {
    const m = byName(r, name);
    t.equal(m.givenLabels, w.given, `${name} given_labels`);
    t.equal(m.pruned, w.pruned, `${name} pruned`);
    t.equal(m.corrected, w.corrected, `${name} corrected`);
    t.equal(m.verified, w.verified, `${name} verified`);
  }
  // corrected_ref = given_ref + |F|/N (§3.1)
  t.equal(byName(r, 'A').corrected, (2 + 2) / 6);
  t.equal(r.numLabelIssues, 2);
  t.equal(r.numVerified, 3);
  t.equal(r.numDropped, 1);
  t.end();
});

t.test('§3.2 rankings, ties by input order', (t) => {
  const r = run({ verified: true });
  t.strictSame(r.rankings.given_labels, ['B', 'C', 'A']);
  t.strictSame(r.rankings.pruned, ['B', 'C', 'A']);
  t.strictSame(r.rankings.corrected, ['C', 'A', 'B']);
  t.strictSame(r.rankings.verified, ['C', 'A', 'B']);
  // estimated_true (hand-computed below): A 1/3, B 1 (raw 1.5), C 1/2
  t.strictSame(r.rankings.estimated_true, ['B', 'C', 'A']);
  t.end();
});

t.test('§5 comparisons: Kendall τ-b and pairwise flips against given_labels', (t) => {
  const r = run({ verified: true });
  // given: A .333 B 1 C .5; verified: A .8 B .6 C 1.
  // pairs (A,B): given −, verified + → flip; (A,C): −,− ; (B,C): +,− → flip. τ = (1−2)/3.
  t.strictSame(r.comparisons.verified!.flips, [
    ['A', 'B'],
    ['B', 'C'],
  ]);
  t.ok(close(r.comparisons.verified!.kendallTauB, -1 / 3));
  // pruned orders exactly like given_labels.
  t.equal(r.comparisons.pruned!.kendallTauB, 1);
  t.strictSame(r.comparisons.pruned!.flips, []);
  // corrected: A .667 B .667 C .833: (A,B) tie in corrected → no flip; (B,C) flip; (A,C) concordant.
  t.strictSame(r.comparisons.corrected!.flips, [['B', 'C']]);
  // τ-b with one tie in y: (1 − 1)/sqrt(3·2) = 0
  t.equal(r.comparisons.corrected!.kendallTauB, 0);
  t.notOk('given_labels' in r.comparisons);
  t.end();
});

t.test('§3.2 without verified corrections: no verified estimator at all', (t) => {
  const r = run();
  t.notOk('verified' in byName(r, 'A'));
  t.notOk('verified' in r.rankings);
  t.notOk('verified' in r.comparisons);
  t.equal(r.numVerified, null);
  t.end();
});

t.test('self_referential marks only on the reference model', (t) => {
  const r = run();
  t.strictSame(byName(r, 'A').selfReferential, { corrected: true, estimatedTrue: true });
  t.strictSame(byName(r, 'B').selfReferential, { corrected: false, estimatedTrue: false });
  t.equal(byName(r, 'A').reference, true);
  t.equal(byName(r, 'C').reference, false);
  t.end();
});

t.test('estimated_true on the running example (T⁻¹ = [[1,.5,−1],[0,1.5,0],[0,−1,2]])', (t) => {
  const r = run();
  // B always predicts the given label: (2/6)·trace(T⁻¹) = 1.5, clipped to 1.
  const b = byName(r, 'B');
  t.ok(close(b.estimatedTrueRaw, 1.5));
  t.equal(b.estimatedTrue, 1);
  // A: w = (0, 1, .5, 1.5, 0, −1) → 2/6. C: w = (0, 1, 1.5, 1.5, 0, −1) → 3/6.
  t.ok(close(byName(r, 'A').estimatedTrueRaw, 2 / 6));
  t.ok(close(byName(r, 'C').estimatedTrueRaw, 3 / 6));
  t.ok(close(byName(r, 'A').estimatedTrue, 2 / 6));
  // SE of A: w mean 1/3; Σ(w − 1/3)² = 1/9 + 4/9 + 1/36 + 49/36 + 1/9 + 16/9 = 3.8333…
  const ssA = 1 / 9 + 4 / 9 + 1 / 36 + 49 / 36 + 1 / 9 + 16 / 9;
  t.ok(close(byName(r, 'A').estimatedTrueSe, Math.sqrt(ssA / 6) / Math.sqrt(6)));
  // B: w = 1, 1, 1.5, 1.5, 2, 2 → mean 1.5, Σ(w−1.5)² = .25·4 = 1 (… + 0 + 0)
  t.ok(close(b.estimatedTrueSe, Math.sqrt(1 / 6) / Math.sqrt(6)));
  t.ok(r.noiseMatrixCondition !== null && r.noiseMatrixCondition > 1);
  t.end();
});

// ---------------------------------------------------------------------------------------
// §4 binary worked example

function binaryCase(): { labels: Int32Array; preds: Int32Array } {
  // counts n[ŷ][s] = [[501, 79], [98, 322]], N = 1000
  const cells: [number, number, number][] = [
    [0, 0, 501],
    [0, 1, 79],
    [1, 0, 98],
    [1, 1, 322],
  ];
  const labels: number[] = [];
  const preds: number[] = [];
  for (const [a, s, c] of cells) for (let i = 0; i < c; i++) (preds.push(a), labels.push(s));
  return { labels: i32(labels), preds: i32(preds) };
}
const T_BIN = [
  [0.9, 0.2],
  [0.1, 0.8],
];

t.test('§4 binary example: Â = 0.950, SE = 0.0171, M̂ = [[550,30],[20,400]]', (t) => {
  const { labels, preds } = binaryCase();
  const r = correctedAccuracy({
    labels,
    suggested: preds,
    flaggedMask: new Uint8Array(1000),
    numClasses: 2,
    noiseMatrix: T_BIN,
    models: [{ name: 'm', predictions: preds }],
  });
  const m = r.models[0]!;
  t.equal(m.givenLabels, 0.823);
  t.ok(close(m.estimatedTrueRaw, 0.95, 1e-12), `raw ${m.estimatedTrueRaw}`);
  t.ok(close(m.estimatedTrue, 0.95, 1e-12));
  t.equal(Number(m.estimatedTrueSe!.toFixed(4)), 0.0171);
  // per-class recall M̂[j][j] / Σ_a M̂[a][j]
  t.ok(close(m.estimatedTrueClassRecall![0]!, 550 / 570, 1e-12));
  t.ok(close(m.estimatedTrueClassRecall![1]!, 400 / 430, 1e-12));
  t.strictSame(m.nullReasons, {});
  // The kernel on raw counts gives the same.
  const e = estimatedTrueFromCounts([501, 79, 98, 322], [
    [0.8 / 0.7, -0.2 / 0.7],
    [-0.1 / 0.7, 0.9 / 0.7],
  ], 1000);
  t.ok(close(e.raw, 0.95, 1e-12));
  // Empty F: pruned = corrected = given_labels; curves null.
  t.equal(m.pruned, m.givenLabels);
  t.equal(m.corrected, m.givenLabels);
  t.equal(r.prevalenceCurves, null);
  t.equal(r.nullReasons.prevalence_curves, 'no_mislabelled_examples');
  t.end();
});

t.test('estimated_true with T = I reduces to given_labels; SE is sd/√N', (t) => {
  const { labels, preds } = binaryCase();
  const r = correctedAccuracy({
    labels,
    suggested: preds,
    flaggedMask: new Uint8Array(1000),
    numClasses: 2,
    noiseMatrix: [
      [1, 0],
      [0, 1],
    ],
    models: [{ name: 'm', predictions: preds }],
  });
  const m = r.models[0]!;
  t.equal(m.estimatedTrueRaw, 0.823);
  t.ok(close(m.estimatedTrueSe, Math.sqrt(0.823 * 0.177 / 1000), 1e-15));
  t.end();
});

t.test('singular and ill-conditioned noise matrices give null with a reason', (t) => {
  const base = {
    labels: S,
    suggested: G,
    flaggedMask: F,
    numClasses: 3,
    models: MODELS,
  };
  const sing = correctedAccuracy({
    ...base,
    noiseMatrix: [
      [1, 0, 0.5],
      [0, 0, 0.5],
      [0, 0, 0],
    ],
  });
  for (const m of sing.models) {
    t.equal(m.estimatedTrue, null);
    t.equal(m.estimatedTrueRaw, null);
    t.equal(m.estimatedTrueSe, null);
    t.equal(m.estimatedTrueClassRecall, null);
    t.equal(m.nullReasons.estimated_true, 'noise_matrix_singular');
  }
  t.equal(sing.noiseMatrixCondition, null);
  // nulls are ranked last in input order
  t.strictSame(sing.rankings.estimated_true, ['A', 'B', 'C']);
  t.equal(sing.comparisons.estimated_true!.kendallTauB, null);
  t.equal(sing.comparisons.estimated_true!.nullReason, 'fewer_than_two_models');
  const d = 1e-13;
  const ill = correctedAccuracy({
    ...base,
    noiseMatrix: [
      [0.5, 0.5 + d, 0],
      [0.5, 0.5 - d, 0],
      [0, 0, 1],
    ],
  });
  t.equal(ill.models[0]!.nullReasons.estimated_true, 'noise_matrix_ill_conditioned');
  t.ok(ill.noiseMatrixCondition! > 1e12);
  const none = correctedAccuracy({ ...base, noiseMatrix: null });
  t.equal(none.models[0]!.nullReasons.estimated_true, 'noise_matrix_unavailable');
  t.end();
});

// ---------------------------------------------------------------------------------------
// referenceAccuracy (label-issues `accuracy` block)

t.test('referenceAccuracy = the reference model entry', (t) => {
  const a = referenceAccuracy(S, G, F, T_RUN);
  t.equal(a.givenLabels, 2 / 6);
  t.equal(a.pruned, 0.5);
  t.equal(a.corrected, 4 / 6);
  t.ok(close(a.estimatedTrueRaw, 2 / 6));
  t.ok(close(a.estimatedTrue, 2 / 6));
  t.ok(close(a.estimatedTrueSe, byName(run(), 'A').estimatedTrueSe!, 0));
  t.equal(a.numLabelIssues, 2);
  t.strictSame(a.nullReasons, {});
  const all = referenceAccuracy(S, G, mask(6, [0, 1, 2, 3, 4, 5]), [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 0],
  ]);
  t.equal(all.pruned, null);
  t.equal(all.corrected, 1);
  t.equal(all.estimatedTrue, null);
  t.strictSame(all.nullReasons, { pruned: 'all_examples_flagged', estimated_true: 'noise_matrix_singular' });
  t.equal(all.numLabelIssues, 6);
  t.end();
});

t.test('referenceAccuracyFromCounts (merged counts) = referenceAccuracy = the reference entry', (t) => {
  // confusion of g vs s: (2,0),(0,0),(0,1),(1,1),(1,2),(0,2)
  const confusion = [1, 1, 1, 0, 1, 1, 1, 0, 0];
  const fromCounts = referenceAccuracyFromCounts({ confusion, n: 6, k: 3, numFlagged: 2, hitsGivenOnFlagged: 0, noiseMatrix: T_RUN });
  t.strictSame(fromCounts, referenceAccuracy(S, G, F, T_RUN));
  // low_* style flagged set including a row with g = s (row 1)
  const lowF = mask(6, [0, 1, 4]);
  const low = referenceAccuracyFromCounts({ confusion, n: 6, k: 3, numFlagged: 3, hitsGivenOnFlagged: 1, noiseMatrix: null });
  const direct = referenceAccuracy(S, G, lowF, null);
  t.equal(low.corrected, direct.corrected);
  t.equal(low.pruned, direct.pruned);
  t.equal(low.pruned, 1 / 3);
  t.equal(low.nullReasons.estimated_true, 'noise_matrix_unavailable');
  const entry = correctedAccuracy({ labels: S, suggested: G, flaggedMask: lowF, numClasses: 3, noiseMatrix: null, models: MODELS }).models[0]!;
  t.strictSame([entry.givenLabels, entry.pruned, entry.corrected], [low.givenLabels, low.pruned, low.corrected]);
  t.end();
});

// ---------------------------------------------------------------------------------------
// Verified corrections

t.test('verified corrections equal to the true labels give the true accuracy exactly', (t) => {
  const r = lcg32(42);
  const n = 5000;
  const k = 5;
  const y = new Int32Array(n);
  const s = new Int32Array(n);
  const g = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = Math.floor(r() * k);
    s[i] = r() < 0.15 ? Math.floor(r() * k) : y[i]!; // 15% noise (sometimes to itself)
    g[i] = r() < 0.8 ? y[i]! : Math.floor(r() * k);
  }
  const models: AccuracyModel[] = [0.95, 0.85, 0.6].map((acc, m) => {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = r() < acc ? y[i]! : Math.floor(r() * k);
    return { name: `m${m}`, predictions: p };
  });
  const trueAcc = models.map((m) => {
    let c = 0;
    for (let i = 0; i < n; i++) if (m.predictions[i] === y[i]) c++;
    return c / n;
  });
  // Only the rows whose given label is wrong need a verdict; also try verifying every row.
  const wrongOnly = [];
  const every = [];
  for (let i = 0; i < n; i++) {
    if (s[i] !== y[i]) wrongOnly.push({ index: i, label: y[i]! });
    every.push({ index: i, label: y[i]! });
  }
  t.ok(wrongOnly.length > 300, `${wrongOnly.length} wrong labels`);
  for (const v of [wrongOnly, every]) {
    const res = correctedAccuracy({
      labels: s,
      suggested: g,
      flaggedMask: new Uint8Array(n),
      numClasses: k,
      noiseMatrix: null,
      models,
      verified: validateVerifiedCorrections(v, n, k),
    });
    res.models.forEach((m, i) => t.equal(m.verified, trueAcc[i], `${m.name}: verified === true accuracy`));
    // E = rows whose label changed; at π₀ the curve equals verified exactly
    t.equal(res.prevalenceCurves!.numMislabelled, wrongOnly.length);
    res.prevalenceCurves!.models.forEach((c, i) => t.equal(c.corrected[0], trueAcc[i]));
  }
  t.end();
});

t.test('verified_corrections validation names the entry', (t) => {
  const bad: [unknown, RegExp, string][] = [
    [[{ index: 6, label: 1 }], /outside \[0, 6\)/, 'verified_corrections[0]'],
    [[{ index: -1, label: 1 }], /outside/, 'verified_corrections[0]'],
    [[{ index: 0, label: 1 }, { index: 2, label: 3 }], /label 3 is outside \[0, 3\)/, 'verified_corrections[1]'],
    [[{ index: 0, label: 1 }, { index: 1, label: null }, { index: 0, label: 2 }], /duplicate of verified_corrections\[0\]/, 'verified_corrections[2]'],
    [[{ index: 1.5, label: 1 }], /must be an integer/, 'verified_corrections[0]'],
    [[{ index: 1 }], /label is missing/, 'verified_corrections[0]'],
    [[{ index: 1, label: '2' }], /integer class or null/, 'verified_corrections[0]'],
    [[3], /must be an object/, 'verified_corrections[0]'],
    [{ index: 1, label: 2 }, /must be an array/, 'verified_corrections'],
  ];
  for (const [v, msg, path] of bad) {
    try {
      validateVerifiedCorrections(v, 6, 3);
      t.fail(`accepted ${JSON.stringify(v)}`);
    } catch (e) {
      t.ok(e instanceof InputError, 'InputError');
      const err = e as InputError;
      t.match(err.message, msg);
      t.equal(err.field, 'verified_corrections');
      t.equal(err.issues[0]!.path, path);
    }
  }
  const ok = validateVerifiedCorrections(V_RUN, 6, 3);
  t.strictSame(Array.from(ok.verdict), [2, -2, -2, -2, -1, 0]);
  t.equal(ok.dropped, 1);
  t.end();
});

t.test('verified: a verified index need not be flagged, and |D| = N gives null', (t) => {
  const r = correctedAccuracy({
    labels: S,
    suggested: G,
    flaggedMask: F,
    numClasses: 3,
    noiseMatrix: null,
    models: MODELS,
    verified: validateVerifiedCorrections([{ index: 2, label: 0 }], 6, 3),
  });
  // s* = (0,0,0,1,2,2): A hits n1,n2,n3 → 3/6; B 5/6; C hits n1,n3 → 2/6.
  t.equal(byName(r, 'A').verified, 3 / 6);
  t.equal(byName(r, 'B').verified, 5 / 6);
  t.equal(byName(r, 'C').verified, 2 / 6);
  const dropAll = correctedAccuracy({
    labels: S,
    suggested: G,
    flaggedMask: F,
    numClasses: 3,
    noiseMatrix: null,
    models: MODELS,
    verified: validateVerifiedCorrections([0, 1, 2, 3, 4, 5].map((index) => ({ index, label: null })), 6, 3),
  });
  for (const m of dropAll.models) {
    t.equal(m.verified, null);
    t.equal(m.nullReasons.verified, 'all_examples_dropped');
  }
  t.strictSame(dropAll.rankings.verified, ['A', 'B', 'C']);
  // |E| = 0 with V (everything dropped) → curves null
  t.equal(dropAll.prevalenceCurves, null);
  t.end();
});

// ---------------------------------------------------------------------------------------
// Edge cases of F

t.test('|F| = N: pruned null, |C| = 0 → single-point curve at π = 1', (t) => {
  const r = correctedAccuracy({
    labels: S,
    suggested: G,
    flaggedMask: mask(6, [0, 1, 2, 3, 4, 5]),
    numClasses: 3,
    noiseMatrix: T_RUN,
    models: MODELS,
  });
  for (const m of r.models) {
    t.equal(m.pruned, null);
    t.equal(m.nullReasons.pruned, 'all_examples_flagged');
  }
  // corrected = agreement with g
  t.equal(byName(r, 'A').corrected, 1);
  t.equal(byName(r, 'C').corrected, 5 / 6); // C = (2,0,1,1,1,0) vs g = (2,0,0,1,1,0)
  t.strictSame(r.rankings.pruned, ['A', 'B', 'C']);
  const pc = r.prevalenceCurves!;
  t.equal(pc.numRest, 0);
  t.equal(pc.naturalPrevalence, 1);
  t.strictSame(pc.prevalence, [1]);
  t.equal(pc.models[0]!.accuracyOnRest, null);
  t.strictSame(pc.models[0]!.corrected, [1]);
  t.strictSame(pc.models[2]!.corrected, [5 / 6]);
  t.equal(pc.firstRankingChange, null);
  t.end();
});

t.test('empty F: pruned = corrected = given_labels and no curves', (t) => {
  const r = correctedAccuracy({
    labels: S,
    suggested: G,
    flaggedMask: new Uint8Array(6),
    numClasses: 3,
    noiseMatrix: T_RUN,
    models: MODELS,
  });
  for (const m of r.models) {
    t.equal(m.pruned, m.givenLabels);
    t.equal(m.corrected, m.givenLabels);
  }
  t.equal(r.prevalenceCurves, null);
  t.equal(r.numLabelIssues, 0);
  t.end();
});

t.test('low_* style flagged rows with g = s contribute 0 to the corrected gain', (t) => {
  // Flag rows 0, 1, 4: row 1 has g = s.
  const r = correctedAccuracy({
    labels: S,
    suggested: G,
    flaggedMask: mask(6, [0, 1, 4]),
    numClasses: 3,
    noiseMatrix: null,
    models: MODELS,
  });
  t.equal(byName(r, 'A').corrected, byName(r, 'A').givenLabels + 2 / 6);
  t.end();
});

// ---------------------------------------------------------------------------------------
// §6 prevalence curves

t.test('§6 on the running example (E = F)', (t) => {
  const r = run();
  const pc = r.prevalenceCurves!;
  t.equal(pc.source, 'flagged');
  t.equal(pc.numMislabelled, 2);
  t.equal(pc.numRest, 4);
  t.equal(pc.naturalPrevalence, 2 / 6);
  const [a, b, c] = pc.models;
  t.strictSame([a!.accuracyOnMislabelled, a!.originalAccuracyOnMislabelled, a!.accuracyOnRest], [1, 0, 0.5]);
  t.strictSame([b!.accuracyOnMislabelled, b!.originalAccuracyOnMislabelled, b!.accuracyOnRest], [0, 1, 1]);
  t.strictSame([c!.accuracyOnMislabelled, c!.originalAccuracyOnMislabelled, c!.accuracyOnRest], [1, 0, 0.75]);
  // at π₀ the corrected curve equals `corrected`, the original curve equals given_labels
  for (const m of pc.models) {
    t.equal(m.corrected[0], byName(r, m.name).corrected);
    t.equal(m.original[0], byName(r, m.name).givenLabels);
  }
  // grid from 1/3 in steps of 0.01 (…, 0.4933) then 0.5 itself: 18 points
  t.equal(pc.prevalence.length, 18);
  t.ok(close(pc.prevalence[16]!, 1 / 3 + 0.16, 1e-12));
  t.equal(pc.prevalence[17], 0.5);
  t.ok(close(a!.corrected[5]!, (1 / 3 + 0.05) * 1 + (1 - (1 / 3 + 0.05)) * 0.5, 1e-12));
  // A (0.5→1) vs C (0.75→1): curves meet only at π = 1 > 0.5.
  t.equal(pc.firstRankingChange, null);
  t.equal(pc.firstRankingChangeOriginal, null);
  const full = run({ prevalenceMax: 1 });
  t.strictSame(full.prevalenceCurves!.firstRankingChange, {
    prevalence: 1,
    immediate: false,
    overtaking: 'A',
    overtaken: 'C',
  });
  t.equal(full.prevalenceCurves!.prevalence.at(-1), 1);
  t.end();
});

t.test('§6 with verified corrections: E = {v ≠ null, v ≠ s}, X = D', (t) => {
  const r = run({ verified: true });
  const pc = r.prevalenceCurves!;
  t.equal(pc.source, 'verified_corrections');
  t.equal(pc.numMislabelled, 2); // rows 0 and 5
  t.equal(pc.numExcluded, 1); // row 4
  t.equal(pc.numRest, 3);
  t.equal(pc.naturalPrevalence, 2 / 5);
  for (const m of pc.models) t.equal(m.corrected[0], byName(r, m.name).verified);
  t.end();
});

/** Build a 2-model data set with given hit counts on E (|E| rows) and C (|C| rows). */
function twoModelCase(sizeE: number, sizeC: number, hits: { e: number; c: number }[]) {
  const n = sizeE + sizeC;
  const labels = new Int32Array(n); // all given label 0
  const suggested = new Int32Array(n);
  const flagged = new Uint8Array(n);
  for (let i = 0; i < sizeE; i++) {
    flagged[i] = 1;
    suggested[i] = 1; // corrected label on E
  }
  const models = hits.map((h, m) => {
    const p = new Int32Array(n);
    for (let i = 0; i < sizeE; i++) p[i] = i < h.e ? 1 : 0;
    for (let i = 0; i < sizeC; i++) p[sizeE + i] = i < h.c ? 0 : 1;
    return { name: `M${m}`, predictions: p };
  });
  return { labels, suggested, flaggedMask: flagged, numClasses: 2, noiseMatrix: null, models };
}

t.test('§6 ResNet example: π* = 0.0625, A overtakes B', (t) => {
  // a_C(A) = .95, a_E(A) = .60, a_C(B) = .97, a_E(B) = .30, π₀ = .05
  const input = twoModelCase(100, 1900, [
    { e: 60, c: 1805 },
    { e: 30, c: 1843 },
  ]);
  input.models[0]!.name = 'A';
  input.models[1]!.name = 'B';
  const r = correctedAccuracy(input);
  const pc = r.prevalenceCurves!;
  t.equal(pc.naturalPrevalence, 0.05);
  t.ok(close(pc.models[0]!.corrected[0], 0.9325));
  t.ok(close(pc.models[1]!.corrected[0], 0.9365));
  t.strictSame(pc.firstRankingChange, { prevalence: 0.0625, immediate: false, overtaking: 'A', overtaken: 'B' });
  // the curves on the grid: B ahead before π*, A ahead after
  for (let g = 0; g < pc.prevalence.length; g++) {
    const pi = pc.prevalence[g]!;
    const [a, b] = [pc.models[0]!.corrected[g]!, pc.models[1]!.corrected[g]!];
    if (pi < 0.0625 - 1e-12) t.ok(b > a, `π=${pi.toFixed(2)}: B ahead`);
    else if (pi > 0.0625 + 1e-12) t.ok(a > b, `π=${pi.toFixed(2)}: A ahead`);
  }
  // the mixture formula at a grid point
  t.ok(close(pc.models[0]!.corrected[3]!, 0.95 - 0.35 * 0.08, 1e-12));
  t.ok(close(pc.models[1]!.corrected[3]!, 0.97 - 0.67 * 0.08, 1e-12));
  // original labels: o_E(A) = .40, o_E(B) = .70 → B stays ahead
  t.equal(pc.firstRankingChangeOriginal, null);
  // max below π*: no change
  const short = correctedAccuracy({ ...input, prevalenceMax: 0.06 });
  t.equal(short.prevalenceCurves!.firstRankingChange, null);
  t.equal(short.prevalenceCurves!.prevalence.length, 2);
  t.end();
});

t.test('§6 synthetic re-ranking at a known prevalence, and the immediate case', (t) => {
  // M0: a_E = 0.8, a_C = 0.90; M1: a_E = 0.2, a_C = 0.95; |E| = 50, |C| = 950.
  // d(π) = 0.6π − 0.05(1 − π) = 0 at π* = 0.05/0.65 = 1/13. π₀ = 0.05 → M1 leads first.
  const input = twoModelCase(50, 950, [
    { e: 40, c: 855 },
    { e: 10, c: 903 }, // a_C = 903/950 = 0.950526…
  ]);
  const r = correctedAccuracy(input);
  const dC = 855 - 903;
  const dE = 30;
  const star = (dC * 50) / (dC * 50 - dE * 950);
  t.ok(close(star, 0.0776, 1e-3));
  t.strictSame(r.prevalenceCurves!.firstRankingChange, {
    prevalence: star,
    immediate: false,
    overtaking: 'M0',
    overtaken: 'M1',
  });
  // immediate: tie at π₀ with the later model gaining: M0 (e 10, c 950), M1 (e 20, c 940).
  const tie = correctedAccuracy(
    twoModelCase(50, 950, [
      { e: 10, c: 950 },
      { e: 20, c: 940 },
    ]),
  );
  t.equal(tie.models[0]!.corrected, tie.models[1]!.corrected);
  t.strictSame(tie.rankings.corrected, ['M0', 'M1']);
  t.strictSame(tie.prevalenceCurves!.firstRankingChange, {
    prevalence: 0.05,
    immediate: true,
    overtaking: 'M1',
    overtaken: 'M0',
  });
  // tie at π₀ where the slope favours the earlier model: no change
  const tie2 = correctedAccuracy(
    twoModelCase(50, 950, [
      { e: 20, c: 940 },
      { e: 10, c: 950 },
    ]),
  );
  t.equal(tie2.prevalenceCurves!.firstRankingChange, null);
  t.end();
});

t.test('firstRankingChange agrees with a dense scan of the exact curves (random cases)', (t) => {
  const r = lcg32(99);
  let changes = 0;
  for (let trial = 0; trial < 300; trial++) {
    const sizeE = 1 + Math.floor(r() * 40);
    const sizeC = 1 + Math.floor(r() * 200);
    const m = 2 + Math.floor(r() * 4);
    const hE = Array.from({ length: m }, () => Math.floor(r() * (sizeE + 1)));
    const hC = Array.from({ length: m }, () => sizeC - Math.floor(r() * r() * (sizeC / 5 + 1)));
    const max = 0.5;
    const got = firstRankingChange(hE, hC, sizeE, sizeC, max);
    // Reference: ranking with exact rationals at π = p/q, compared by cross-multiplying.
    const pi0 = sizeE / (sizeE + sizeC);
    // acc_m(π)·|E|·|C| = π·hE·|C| + (1−π)·hC·|E|  (exact enough in float for these sizes)
    const rankAt = (pi: number) =>
      rankOrder(hE.map((e, i) => Math.round((pi * e * sizeC + (1 - pi) * hC[i]! * sizeE) * 1e6) / 1e6));
    const start = rankAt(pi0).join();
    if (got === null) {
      for (let pi = pi0; pi <= max; pi += (max - pi0) / 997 + 1e-12) {
        if (rankAt(pi).join() !== start) {
          t.fail(`trial ${trial}: missed a change at ${pi}`);
          break;
        }
      }
    } else {
      changes++;
      t.ok(got.prevalence >= pi0 && got.prevalence <= max);
      if (got.prevalence - pi0 > 1e-6) t.equal(rankAt(got.prevalence - 1e-7).join(), start, `trial ${trial}: unchanged before π*`);
      t.not(rankAt(Math.min(got.prevalence + 1e-7, 1)).join(), start, `trial ${trial}: changed after π*`);
      const after = rankAt(Math.min(got.prevalence + 1e-7, 1));
      t.ok(after.indexOf(got.overtaking) < after.indexOf(got.overtaken), 'overtaking now ranks above');
    }
  }
  t.ok(changes > 20, `${changes} cases with a change`);
  t.end();
});

t.test('prevalence grid and options', (t) => {
  t.strictSame(prevalenceGrid(0.5, 0.01, 0.5), [0.5]);
  t.strictSame(prevalenceGrid(0.6, 0.01, 0.5), [0.6]);
  const g = prevalenceGrid(0.05, 0.01, 0.5);
  t.equal(g.length, 46);
  t.equal(g[45], 0.5);
  t.strictSame(prevalenceGrid(0.1, 0.25, 0.5), [0.1, 0.35, 0.5]);
  t.throws(() => prevalenceGrid(0, 1e-6, 0.5), InputError);
  const base = twoModelCase(10, 90, [
    { e: 5, c: 80 },
    { e: 6, c: 70 },
  ]);
  t.equal(fieldOfError(() => correctedAccuracy({ ...base, prevalenceStep: 0 })), 'prevalence_step');
  t.equal(fieldOfError(() => correctedAccuracy({ ...base, prevalenceMax: 1.5 })), 'prevalence_max');
  const r = correctedAccuracy({ ...base, prevalenceStep: 0.1, prevalenceMax: 0.3 });
  t.strictSame(r.prevalenceCurves!.prevalence.map((x) => Math.round(x * 1e9) / 1e9), [0.1, 0.2, 0.3]);
  t.end();
});

// ---------------------------------------------------------------------------------------
// Ranking helpers and model validation

t.test('rankOrder, kendallTauB, pairwiseFlips', (t) => {
  t.strictSame(rankOrder([0.5, null, 0.9, 0.5, null]), [2, 0, 3, 1, 4]);
  // scipy.stats.kendalltau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) = -0.47140452079103173
  t.ok(close(kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]), -0.47140452079103173, 1e-15));
  t.equal(kendallTauB([1, 2, 3], [3, 2, 1]), -1);
  t.equal(kendallTauB([1], [1]), null);
  t.equal(kendallTauB([1, 1], [1, 2]), null);
  t.strictSame(pairwiseFlips([1, 2, 3], [3, null, 1]), [[0, 2]]);
  t.end();
});

t.test('models are validated', (t) => {
  const base = { labels: S, suggested: G, flaggedMask: F, numClasses: 3, noiseMatrix: null };
  t.equal(fieldOfError(() => correctedAccuracy({ ...base, models: [] })), 'models');
  t.throws(
    () => correctedAccuracy({ ...base, models: [{ name: 'x', predictions: i32([0, 1, 2, 3, 0, 0]) }] }),
    { message: /models\.x\.predictions\[3\] is 3; predictions must be classes in \[0, 3\)/ },
  );
  t.throws(() => correctedAccuracy({ ...base, models: [{ name: 'x', predictions: i32([0, 1]) }] }), {
    message: /has 2 entries, expected 6/,
  });
  t.throws(
    () =>
      correctedAccuracy({
        ...base,
        models: [
          { name: 'x', predictions: S },
          { name: 'x', predictions: G },
        ],
      }),
    { message: /used twice/ },
  );
  t.end();
});

/**
 * POST /v1/corrected-accuracy handler (src/service/corrected-accuracy.ts) end to end on the
 * running example of confident-learning.md §2 / corrected-accuracy.md §3.2.
 */
import t from 'tap';
import { InputError } from '../../src/core/errors.js';
import { writeNpy } from '../../src/io/npy.js';
import { correctedAccuracyEndpoint } from '../../src/service/corrected-accuracy.js';
import type { RequestPayload } from '../../src/service/types.js';
import { RUNNING_LABELS, RUNNING_PRED_PROBS } from '../helpers/examples.js';

const LABELS = RUNNING_LABELS;
const PRED_PROBS = RUNNING_PRED_PROBS;
const B = [0, 0, 1, 1, 2, 2];
const C = [2, 0, 1, 1, 1, 0];
const V = [
  { index: 0, label: 2 },
  { index: 4, label: null },
  { index: 5, label: 0 },
];

type Body = Record<string, any>;
function call(body: Record<string, unknown>): Body {
  return correctedAccuracyEndpoint.handle({ kind: 'json', body }).body as Body;
}
function inputError(payload: RequestPayload): InputError {
  try {
    correctedAccuracyEndpoint.handle(payload);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('no error');
}
const bad = (body: Record<string, unknown>) => inputError({ kind: 'json', body });

t.test('running example: §3.2 numbers, reference first, rankings', (t) => {
  const r = call({
    labels: LABELS,
    pred_probs: PRED_PROBS,
    models: { B: { predictions: B }, C: { predictions: C } },
    verified_corrections: V,
  });
  t.equal(r.num_examples, 6);
  t.equal(r.num_classes, 3);
  t.equal(r.num_label_issues, 2, 'F = {0, 4}');
  t.equal(r.num_verified_corrections, 3);
  t.equal(r.num_dropped, 1);
  t.strictSame(
    r.models.map((m: Body) => m.name),
    ['reference', 'B', 'C'],
  );
  const [a, b, c] = r.models as Body[];
  t.strictSame([a!.given_labels, a!.pruned, a!.corrected, a!.verified], [2 / 6, 0.5, 4 / 6, 0.8]);
  t.strictSame([b!.given_labels, b!.pruned, b!.corrected, b!.verified], [1, 1, 4 / 6, 0.6]);
  t.strictSame([c!.given_labels, c!.pruned, c!.corrected, c!.verified], [0.5, 0.75, 5 / 6, 1]);
  t.equal(a!.reference, true);
  t.strictSame(a!.self_referential, { corrected: true, estimated_true: true });
  t.strictSame(b!.self_referential, { corrected: false, estimated_true: false });
  // T̂ of the running example: B's raw estimate is 1.5, clipped to 1 (§4 pitfalls).
  t.ok(Math.abs(b!.estimated_true_raw - 1.5) < 1e-9, `raw ${b!.estimated_true_raw}`);
  t.equal(b!.estimated_true, 1);
  t.strictSame(r.rankings.given_labels, ['B', 'C', 'reference']);
  t.strictSame(r.rankings.pruned, ['B', 'C', 'reference']);
  t.strictSame(r.rankings.corrected, ['C', 'reference', 'B']);
  t.strictSame(r.rankings.verified, ['C', 'reference', 'B']);
  t.strictSame(r.ranking_comparisons.verified.flips, [
    ['reference', 'B'],
    ['B', 'C'],
  ]);
  const pc = r.prevalence_curves;
  t.equal(pc.source, 'verified_corrections');
  t.equal(pc.num_mislabelled, 2);
  t.equal(pc.num_excluded, 1);
  t.equal(pc.natural_prevalence, 0.4);
  t.equal(pc.prevalence.at(-1), 0.5);
  t.equal(pc.models[2].corrected[0], 1);
  t.ok('first_ranking_change' in pc && 'first_ranking_change_original_labels' in pc);
  t.strictSame(r.null_reasons, {});
  t.end();
});

t.test('models as pred_probs are argmaxed; options are honoured', (t) => {
  const probsB = B.map((y) => [0, 1, 2].map((j) => (j === y ? 0.6 : 0.2)));
  const r = call({
    labels: LABELS,
    pred_probs: PRED_PROBS,
    models: { B: { pred_probs: probsB } },
    filter_by: 'predicted_neq_given',
    prevalence_step: 0.05,
    prevalence_max: 0.9,
    reference_name: 'cv',
  });
  t.equal(r.num_label_issues, 4, 'predicted_neq_given flags {0, 2, 4, 5}');
  t.strictSame(
    r.models.map((m: Body) => m.name),
    ['cv', 'B'],
  );
  t.equal(r.models[1].given_labels, 1);
  t.notOk('verified' in r.models[0]);
  t.notOk('verified' in r.rankings);
  t.equal(r.prevalence_curves.source, 'flagged');
  t.equal(r.prevalence_curves.prevalence_step, 0.05);
  t.equal(r.prevalence_curves.prevalence.at(-1), 0.9);
  // without extra models only the reference is scored
  const alone = call({ labels: LABELS, pred_probs: PRED_PROBS });
  t.equal(alone.models.length, 1);
  t.equal(alone.ranking_comparisons.corrected.kendall_tau_b, null);
  t.equal(alone.ranking_comparisons.corrected.null_reason, 'fewer_than_two_models');
  t.end();
});

t.test('multipart: reference as .npy parts, a model as a models.<name>.predictions part', (t) => {
  const parts = {
    pred_probs: writeNpy(PRED_PROBS.flat(), '<f8', [6, 3]),
    labels: writeNpy(LABELS, '<i8', [6]),
    'models.C.predictions': writeNpy(C, '<i4', [6]),
  };
  const r = correctedAccuracyEndpoint.handle({
    kind: 'npy',
    parts,
    options: { models: { B: { predictions: B } }, verified_corrections: V },
  }).body as Body;
  t.strictSame(
    r.models.map((m: Body) => m.name),
    ['reference', 'B', 'C'],
  );
  t.equal(r.models[2].verified, 1);
  const dup = inputError({ kind: 'npy', parts, options: { models: { C: { predictions: C } } } });
  t.match(dup.message, /given twice/);
  t.end();
});

t.test('invalid inputs are InputErrors naming the field', (t) => {
  const base = { labels: LABELS, pred_probs: PRED_PROBS };
  let e = bad({ ...base, models: { x: { predictions: [0, 1, 2, 3, 0, 0] } } });
  t.equal(e.issues[0]!.path, 'models.x.predictions[3]');
  t.match(e.message, /out of range/);
  e = bad({ ...base, models: { x: { predictions: [0, 1] } } });
  t.match(e.message, /models\.x\.predictions has 2 values but pred_probs has 6 rows/);
  e = bad({ ...base, models: { x: { pred_probs: PRED_PROBS.slice(0, 5) } } });
  t.match(e.message, /models\.x\.pred_probs has 5 rows but pred_probs has 6/);
  e = bad({ ...base, models: { x: { pred_probs: PRED_PROBS.map((r, i) => (i === 2 ? [0.5, 0.5, 0.5] : r)) } } });
  t.equal(e.issues[0]!.path, 'models.x.pred_probs[2]');
  t.match(e.message, /row 2 sums to 1\.5/);
  e = bad({ ...base, models: { x: { predictions: B, pred_probs: PRED_PROBS } } });
  t.match(e.message, /exactly one of predictions .* or pred_probs/);
  e = bad({ ...base, models: { x: { preds: B } } });
  t.equal(e.issues[0]!.path, 'models.x.preds');
  e = bad({ ...base, models: [B] });
  t.equal(e.field, 'models');
  e = bad({ ...base, models: { reference: { predictions: B } } });
  t.match(e.message, /clashes with the reference model/);
  e = bad({ ...base, verified_corrections: [{ index: 1, label: 0 }, { index: 1, label: 1 }] });
  t.equal(e.issues[0]!.path, 'verified_corrections[1]');
  t.match(e.message, /duplicate/);
  e = bad({ ...base, verified_corrections: [{ index: 9, label: 0 }] });
  t.match(e.message, /outside \[0, 6\)/);
  e = bad({ ...base, prevalence_step: 0 });
  t.equal(e.issues[0]!.path, 'prevalence_step');
  e = bad({ ...base, prevalence_max: 2 });
  t.equal(e.issues[0]!.path, 'prevalence_max');
  e = bad({ ...base, rank_by: 'self_confidence' });
  t.match(e.message, /Unknown field 'rank_by'/);
  e = bad({ ...base, num_to_remove_per_class: [1, 1] });
  t.equal(e.field, 'num_to_remove_per_class');
  e = bad({ labels: LABELS });
  t.equal(e.field, 'pred_probs');
  t.end();
});

t.test('response validates against the declared zod response schema', (t) => {
  const r = call({
    labels: LABELS,
    pred_probs: PRED_PROBS,
    models: { B: { predictions: B }, C: { predictions: C } },
    verified_corrections: V,
  });
  const parsed = correctedAccuracyEndpoint.responseSchema.safeParse(r);
  t.ok(parsed.success, parsed.success ? 'ok' : JSON.stringify(parsed.error.issues.slice(0, 3)));
  // a confident, correct reference: nothing is flagged, so there are no curves
  const confident = LABELS.map((y) => [0, 1, 2].map((j) => (j === y ? 0.8 : 0.1)));
  const noCurves = call({ labels: LABELS, pred_probs: confident });
  t.equal(noCurves.num_label_issues, 0);
  t.equal(noCurves.prevalence_curves, null);
  t.equal(noCurves.null_reasons.prevalence_curves, 'no_mislabelled_examples');
  t.ok(correctedAccuracyEndpoint.responseSchema.safeParse(noCurves).success);
  t.end();
});

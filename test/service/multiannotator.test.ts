/**
 * POST /v1/multiannotator/consensus handler (src/service/multiannotator.ts): the spec's
 * running example (multilabel-and-multiannotator.md B3–B11), a fixture case end to end,
 * multipart `.npy` input (-1 / NaN for missing) and bad inputs.
 */
import t from 'tap';
import { writeNpy } from '../../src/io/npy.js';
import { multiannotatorConsensusEndpoint } from '../../src/service/multiannotator.js';
import type { RequestPayload } from '../../src/service/types.js';
import { loadFixture } from '../helpers/fixtures.js';
import { MULTIANNOTATOR_LABELS, MULTIANNOTATOR_PRED_PROBS } from '../helpers/examples.js';
import { expectInputErrors, type InputErrorCase } from '../helpers/inputs.js';

const L = MULTIANNOTATOR_LABELS;
const P = MULTIANNOTATOR_PRED_PROBS;
const U = [
  [0.5, 0.3, 0.2],
  [0.34, 0.33, 0.33],
];
const L_NPY = L.flat().map((v) => (v === null ? -1 : v));

type Body = Record<string, any>;
const call = (body: Record<string, unknown>): Body => multiannotatorConsensusEndpoint.handle({ kind: 'json', body }).body as Body;
const near = (a: number, b: number, tol = 1e-6) => Math.abs(a - b) <= tol;

t.test('crowdlab (default with pred_probs) on the running example', (t) => {
  const r = call({ labels_multiannotator: L, pred_probs: P });
  t.same(Object.keys(r).sort(), ['annotators', 'examples']);
  t.same(r.examples.map((e: Body) => e.consensus_label), [0, 1, 2, 1, 2, 1]);
  t.same(r.examples.map((e: Body) => e.index), [0, 1, 2, 3, 4, 5]);
  [0.721174, 0.79395, 0.63895, 0.512277, 0.615204, 0.575624].forEach((v, i) =>
    t.ok(near(r.examples[i].consensus_quality_score, v), `quality ${i}`),
  );
  t.ok(near(r.examples[0].annotator_agreement, 2 / 3, 1e-15));
  t.same(Object.keys(r.examples[0]).sort(), ['annotator_agreement', 'consensus_label', 'consensus_quality_score', 'index']);
  t.same(
    r.annotators.map((a: Body) => [a.annotator, a.worst_class, a.num_examples_labeled]),
    [
      [2, 1, 4],
      [0, 0, 5],
      [1, 1, 5],
    ],
  );
  [0.436911, 0.662799, 0.723961].forEach((v, j) => t.ok(near(r.annotators[j].annotator_quality, v), `annotator quality ${j}`));
  t.end();
});

t.test('majority vote fallback without pred_probs; dawid_skene', (t) => {
  const mv = call({ labels_multiannotator: L });
  t.same(mv.examples.map((e: Body) => e.consensus_label), [0, 1, 2, 0, 2, 1], 'ties go to the rarer class');
  t.same(
    mv.examples.map((e: Body) => e.consensus_quality_score),
    [2 / 3, 1, 1, 1 / 2, 1 / 2, 1],
    'quality = annotator agreement',
  );
  const mvP = call({ labels_multiannotator: L, pred_probs: P, method: 'majority_vote' });
  t.same(mvP.examples.map((e: Body) => e.consensus_label), [0, 1, 2, 1, 2, 1], 'pred_probs break the ties');
  const ds = call({ labels_multiannotator: L, method: 'dawid_skene' });
  t.equal(ds.examples.length, 6);
  t.same(ds.examples.slice(0, 3).map((e: Body) => e.consensus_label), [0, 1, 2]);
  t.equal(ds.annotators.length, 3);
  for (const e of ds.examples) t.ok(e.consensus_quality_score > 0 && e.consensus_quality_score <= 1);
  const capped = call({ labels_multiannotator: L, method: 'dawid_skene', max_iter: 1 });
  t.match(capped.warnings.join('\n'), /did not converge/);
  t.end();
});

t.test('active learning (ActiveLab, B11)', (t) => {
  const r = call({ labels_multiannotator: L, pred_probs: P, active_learning: true, pred_probs_unlabeled: U });
  [0.486032, 0.531478, 0.504771, 0.406214, 0.40194, 0.535448].forEach((v, i) => t.ok(near(r.active_learning_scores[i], v), `labelled ${i}`));
  [0.349811, 0.334015].forEach((v, i) => t.ok(near(r.active_learning_scores_unlabeled[i], v), `unlabelled ${i}`));
  const noU = call({ labels_multiannotator: L, pred_probs: P, active_learning: true });
  t.equal(noU.active_learning_scores.length, 6);
  t.equal(noU.active_learning_scores_unlabeled, undefined);
  t.end();
});

t.test('fixture ma_k3_n100_m5 end to end', (t) => {
  const fx = loadFixture('multiannotator', 'ma_k3_n100_m5');
  const want = fx.expected.get_label_quality_multiannotator.result;
  const r = call({ labels_multiannotator: fx.labels_multiannotator, pred_probs: fx.pred_probs });
  t.same(
    r.examples.map((e: Body) => e.consensus_label),
    want.label_quality.map((e: Body) => e.consensus_label),
  );
  t.ok(
    r.examples.every((e: Body, i: number) => near(e.consensus_quality_score, want.label_quality[i].consensus_quality_score, 1e-9)),
    'consensus_quality_score',
  );
  t.same(
    r.annotators.map((a: Body) => a.annotator),
    want.annotator_stats.map((a: Body) => a.annotator),
    'annotator order',
  );
  t.ok(
    r.annotators.every((a: Body, j: number) => near(a.annotator_quality, want.annotator_stats[j].annotator_quality, 1e-9)),
    'annotator_quality',
  );
  t.end();
});

t.test('multipart .npy: -1 (int) or NaN (float) for missing', (t) => {
  const json = call({ labels_multiannotator: L, pred_probs: P, active_learning: true, pred_probs_unlabeled: U });
  const cases: [string, Uint8Array][] = [
    ['<i8', writeNpy(L_NPY.map((v) => BigInt(v)), '<i8', [6, 3])],
    ['<i4', writeNpy(L_NPY, '<i4', [6, 3])],
    ['|i1', writeNpy(L_NPY, '|i1', [6, 3])],
    ['<f8 NaN', writeNpy(L.flat().map((v) => (v === null ? NaN : v)), '<f8', [6, 3])],
  ];
  for (const [name, labels] of cases) {
    const r = multiannotatorConsensusEndpoint.handle({
      kind: 'npy',
      parts: {
        labels_multiannotator: labels,
        pred_probs: writeNpy(P.flat(), '<f8', [6, 3]),
        pred_probs_unlabeled: writeNpy(U.flat(), '<f4', [2, 3]),
      },
      options: { active_learning: true },
    });
    // pred_probs_unlabeled as float32 differs in the last bits only.
    t.same(r.body.examples, json.examples, `${name}: examples`);
    t.same(r.body.annotators, json.annotators, `${name}: annotators`);
    t.ok((r.body.active_learning_scores_unlabeled as number[]).every((v, i) => near(v, json.active_learning_scores_unlabeled[i], 1e-6)));
    t.same([r.n, r.k], [6, 3]);
  }
  const noPp = multiannotatorConsensusEndpoint.handle({ kind: 'npy', parts: { labels_multiannotator: cases[1]![1] }, options: {} });
  t.same((noPp.body.examples as Body[]).map((e) => e.consensus_label), [0, 1, 2, 0, 2, 1], 'majority vote without pred_probs');
  t.end();
});

t.test('an annotator who only labels single-annotation rows has quality null', (t) => {
  const r = call({
    labels_multiannotator: [
      [0, 0, null],
      [1, 1, null],
      [null, null, 1],
      [0, 1, null],
    ],
    pred_probs: [
      [0.8, 0.2],
      [0.3, 0.7],
      [0.4, 0.6],
      [0.5, 0.5],
    ],
  });
  const last = r.annotators[r.annotators.length - 1];
  t.equal(last.annotator, 2, 'null quality sorts last');
  t.equal(last.annotator_quality, null);
  t.end();
});

t.test('bad inputs are InputErrors naming the field', (t) => {
  const json = (body: Record<string, unknown>): RequestPayload => ({ kind: 'json', body });
  const cases: InputErrorCase<RequestPayload>[] = [
    ['ragged rows', json({ labels_multiannotator: [[0, 1, 2], [1, 1]], pred_probs: P.slice(0, 2) }), 'labels_multiannotator', /row 1 has 2 values/],
    ['class id out of range (pred_probs)', json({ labels_multiannotator: L.map((r, i) => (i === 2 ? [3, null, 2] : r)), pred_probs: P }), 'labels_multiannotator', /out of range/],
    ['class id out of range (num_classes)', json({ labels_multiannotator: L, num_classes: 2 }), 'labels_multiannotator', /out of range/],
    ['string label', json({ labels_multiannotator: [['a', 1], [1, 1]] }), 'labels_multiannotator', /expected an integer/],
    ['all-null row', json({ labels_multiannotator: [[0, 1], [null, null], [1, 1]] }), 'labels_multiannotator', /no annotator labelled/],
    ['all-null column', json({ labels_multiannotator: [[0, null], [1, null]] }), 'labels_multiannotator', /labelled no example/],
    ['single annotator', json({ labels_multiannotator: [[0], [1], [1]] }), 'labels_multiannotator', /at least 2 annotators/],
    ['one annotation per example', json({ labels_multiannotator: [[0, null], [null, 1]] }), 'labels_multiannotator', /exactly one annotation/],
    ['crowdlab without pred_probs', json({ labels_multiannotator: L, method: 'crowdlab' }), 'pred_probs', /needs pred_probs/],
    ['active learning without pred_probs', json({ labels_multiannotator: L, active_learning: true }), 'pred_probs', /needs pred_probs/],
    ['pred_probs_unlabeled without active_learning', json({ labels_multiannotator: L, pred_probs: P, pred_probs_unlabeled: U }), 'pred_probs_unlabeled', /only used with active_learning/],
    ['pred_probs rows must sum to 1', json({ labels_multiannotator: L, pred_probs: [[0.5, 0.2, 0.1], ...P.slice(1)] }), 'pred_probs', /sums to/],
    ['pred_probs length mismatch', json({ labels_multiannotator: L, pred_probs: P.slice(0, 5) }), 'pred_probs', /must match/],
    ['pred_probs_unlabeled width', json({ labels_multiannotator: L, pred_probs: P, active_learning: true, pred_probs_unlabeled: [[0.5, 0.5]] }), 'pred_probs_unlabeled', /2 columns/],
    ['unknown method', json({ labels_multiannotator: L, method: 'vote' }), 'method', /.+/],
    ['unknown option', json({ labels_multiannotator: L, quality_method: 'agreement' }), 'quality_method', /Unknown field/],
    ['missing labels', json({ pred_probs: P }), 'labels_multiannotator', /required/],
    ['.npy label -2', { kind: 'npy', parts: { labels_multiannotator: writeNpy([0, -2, 1, 1], '<i4', [2, 2]) }, options: {} }, 'labels_multiannotator', /-1 for missing/],
    ['.npy 1-D', { kind: 'npy', parts: { labels_multiannotator: writeNpy([0, 1], '<i4', [2]) }, options: {} }, 'labels_multiannotator', /2-D/],
    ['.npy all -1 row', { kind: 'npy', parts: { labels_multiannotator: writeNpy([0, 1, -1, -1], '<i4', [2, 2]) }, options: {} }, 'labels_multiannotator', /no annotator labelled/],
  ];
  expectInputErrors(t, cases, (payload) => multiannotatorConsensusEndpoint.handle(payload));
  t.end();
});

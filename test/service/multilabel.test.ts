/**
 * POST /v1/multilabel/label-issues handler (src/service/multilabel.ts): the spec's running
 * example (multilabel-and-multiannotator.md A2), a fixture case end to end, multipart
 * `.npy` input (labels as an N×K 0/1 matrix) and bad inputs.
 */
import t from 'tap';
import { writeNpy } from '../../src/io/npy.js';
import { multilabelLabelIssuesEndpoint } from '../../src/service/multilabel.js';
import type { RequestPayload } from '../../src/service/types.js';
import { loadFixture } from '../helpers/fixtures.js';
import { MULTILABEL_LABELS, MULTILABEL_PRED_PROBS } from '../helpers/examples.js';
import { expectInputErrors, type InputErrorCase } from '../helpers/inputs.js';

const LABELS = MULTILABEL_LABELS;
const PRED_PROBS = MULTILABEL_PRED_PROBS;
const ONE_HOT = [1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0];

type Body = Record<string, any>;
const call = (body: Record<string, unknown>): Body => multilabelLabelIssuesEndpoint.handle({ kind: 'json', body }).body as Body;
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-12;

t.test('running example (A2, A5, A6)', (t) => {
  const r = call({ labels: LABELS, pred_probs: PRED_PROBS, include_scores: true });
  t.equal(r.num_examples, 6);
  t.equal(r.num_classes, 3);
  t.equal(r.num_label_issues, 1);
  t.equal(r.label_issues.length, 1);
  const issue = r.label_issues[0];
  t.same([issue.index, issue.given_labels, issue.suggested_labels], [1, [0, 1], [0]]);
  t.ok(near(issue.label_quality, 0.24), `label_quality ${issue.label_quality}`);
  [0.82, 0.24, 0.74, 0.304, 0.82, 0.42].forEach((v, i) => t.ok(near(r.label_quality_scores[i], v), `score ${i}`));
  t.same(
    r.classes.map((c: Body) => [c.class, c.label_issues, c.inverse_label_issues]),
    [
      [1, 1, 0],
      [0, 0, 0],
      [2, 0, 0],
    ],
    'class 1 first: one example labelled 1 that likely is not',
  );
  t.ok(near(r.classes[0].label_quality, 5 / 6));
  t.equal(r.warnings, undefined);

  const neq = call({ labels: LABELS, pred_probs: PRED_PROBS, filter_by: 'predicted_neq_given' });
  t.same(
    neq.label_issues.map((x: Body) => x.index),
    [1, 3, 5],
    'worst first: 0.24, 0.304, 0.42',
  );
  t.same(neq.label_issues[1].suggested_labels, [], 'row 3: no class reaches 0.5');
  t.same(neq.label_issues[2].given_labels, [], 'row 5: empty label list');
  t.same(
    neq.classes.find((c: Body) => c.class === 0).inverse_label_issues,
    1,
    'row 5 is missing class 0',
  );
  const low = call({ labels: LABELS, pred_probs: PRED_PROBS, filter_by: 'low_self_confidence' });
  t.same(low.label_issues.map((x: Body) => x.index), [1]);
  t.equal(low.classes[0].class, 1, 'low_*: the flagged row is attributed to the class where given ≠ suggested');
  const limited = call({ labels: LABELS, pred_probs: PRED_PROBS, filter_by: 'predicted_neq_given', limit: 2 });
  t.equal(limited.num_label_issues, 3);
  t.equal(limited.label_issues.length, 2);
  t.equal(limited.label_quality_scores, undefined);
  const fn = call({ labels: LABELS, pred_probs: PRED_PROBS, filter_by: 'confident_learning', frac_noise: 0.5 });
  t.match(fn.warnings[0], /frac_noise/, 'cleanlab warning passed on once');
  t.equal(fn.warnings.length, 1);
  t.end();
});

t.test('fixture ml_k3_n200: same flagged set and order as cleanlab', (t) => {
  const fx = loadFixture('multilabel', 'ml_k3_n200');
  const r = call({ labels: fx.labels, pred_probs: fx.pred_probs, limit: 0 });
  const mask: boolean[] = fx.expected['multilabel_classification.filter.find_label_issues'][0].result;
  const ranked: number[] = fx.expected['multilabel_classification.filter.find_label_issues'][1].result;
  t.equal(r.num_label_issues, mask.filter(Boolean).length);
  t.same(
    r.label_issues.map((x: Body) => x.index),
    ranked,
    'worst first = cleanlab return_indices_ranked_by=self_confidence',
  );
  const total = r.classes.reduce((s: number, c: Body) => s + c.label_issues + c.inverse_label_issues, 0);
  t.ok(total >= r.num_label_issues, 'every flagged example is counted in at least one class');
  t.end();
});

t.test('multipart: labels as an N×K 0/1 .npy matrix', (t) => {
  const json = call({ labels: LABELS, pred_probs: PRED_PROBS, include_scores: true });
  for (const dtype of ['|i1', '|u1', '<i8', '<f4', '|b1']) {
    const labels = dtype.endsWith('i8') ? writeNpy(ONE_HOT.map((v) => BigInt(v)), dtype, [6, 3]) : writeNpy(ONE_HOT, dtype, [6, 3]);
    const r = multilabelLabelIssuesEndpoint.handle({
      kind: 'npy',
      parts: { labels, pred_probs: writeNpy(PRED_PROBS.flat(), '<f8', [6, 3]) },
      options: { include_scores: true },
    });
    t.same(r.body, json, `labels ${dtype}`);
    t.same([r.n, r.k], [6, 3]);
  }
  t.end();
});

t.test('bad inputs are InputErrors naming the field', (t) => {
  const cases: InputErrorCase<RequestPayload>[] = [
    ['ragged pred_probs', { kind: 'json', body: { labels: LABELS, pred_probs: [[0.1, 0.2, 0.3], [0.5, 0.5]] } }, 'pred_probs', /row 1 has 2 values/],
    ['label entry not a list', { kind: 'json', body: { labels: [[0], 1, [2]], pred_probs: PRED_PROBS.slice(0, 3) } }, 'labels', /write \[1\]/],
    ['class id out of range', { kind: 'json', body: { labels: [[0], [3], [], [1], [2], [0]], pred_probs: PRED_PROBS } }, 'labels', /out of range/],
    ['negative class id', { kind: 'json', body: { labels: [[0], [-1], [], [1], [2], [0]], pred_probs: PRED_PROBS } }, 'labels', /out of range/],
    ['length mismatch', { kind: 'json', body: { labels: LABELS.slice(0, 5), pred_probs: PRED_PROBS } }, 'labels', /must match/],
    ['probability above 1', { kind: 'json', body: { labels: LABELS, pred_probs: [[1.5, 0, 0], ...PRED_PROBS.slice(1)] } }, 'pred_probs', /.+/],
    ['every list empty', { kind: 'json', body: { labels: [[], [], [], [], [], []], pred_probs: PRED_PROBS } }, 'labels', /Every label list is empty/],
    ['class in every example', { kind: 'json', body: { labels: LABELS.map((l) => [...new Set([...l, 2])]), pred_probs: PRED_PROBS } }, 'labels', /Class 2 is present in every example/],
    ['missing labels', { kind: 'json', body: { pred_probs: PRED_PROBS } }, 'labels', /required/],
    ['unknown option', { kind: 'json', body: { labels: LABELS, pred_probs: PRED_PROBS, rank_by: 'x' } }, 'rank_by', /Unknown field/],
    ['bad filter_by', { kind: 'json', body: { labels: LABELS, pred_probs: PRED_PROBS, filter_by: 'nope' } }, 'filter_by', /.+/],
    ['1-D labels .npy', { kind: 'npy', parts: { labels: writeNpy([0, 1, 2, 0, 1, 2], '<i8', [6]), pred_probs: writeNpy(PRED_PROBS.flat(), '<f8', [6, 3]) }, options: {} }, 'labels', /2-D N×K 0\/1 matrix/],
    ['.npy labels with a 2', { kind: 'npy', parts: { labels: writeNpy([2, ...ONE_HOT.slice(1)], '|i1', [6, 3]), pred_probs: writeNpy(PRED_PROBS.flat(), '<f8', [6, 3]) }, options: {} }, 'labels', /only contain 0 and 1/],
    ['.npy labels with K mismatch', { kind: 'npy', parts: { labels: writeNpy(ONE_HOT.slice(0, 12), '|i1', [6, 2]), pred_probs: writeNpy(PRED_PROBS.flat(), '<f8', [6, 3]) }, options: {} }, 'labels', /2 columns but pred_probs has 3/],
    ['arrow body', { kind: 'arrow', bytes: new Uint8Array(8), options: {} }, 'body', /not supported/],
  ];
  expectInputErrors(t, cases, (payload) => multilabelLabelIssuesEndpoint.handle(payload));
  t.end();
});

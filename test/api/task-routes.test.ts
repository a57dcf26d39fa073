/**
 * The object-detection, regression and outliers routes over HTTP: JSON = the service's
 * output = cleanlab's fixture results, multipart `.npy` = JSON, the CLI prints the same body,
 * and bad input is a 400 problem naming the field (boxes with x2 < x1, NaN, K mismatch, no
 * images, class ids out of range, shape mismatches, bad options).
 */
import t from 'tap';
import { main } from '../../src/cli.js';
import { writeNpy } from '../../src/io/npy.js';
import { executeRequest } from '../../src/service/index.js';
import { loadFixture } from '../helpers/fixtures.js';
import { diffClose } from '../helpers/tolerance.js';
import { expectProblem, multipart, startApp, type FormPart } from './helpers.js';

type Box = number[];
interface OdFx {
  labels: { bboxes: Box[]; labels: number[] }[];
  predictions: Box[][][];
  expected: Record<string, { kwargs: Record<string, unknown>; result: unknown }[]>;
}
const od = loadFixture<OdFx>('object-detection', 'od_k5_n15_edge');
const reg = loadFixture<{ labels: number[]; predictions: number[]; expected: Record<string, { kwargs: Record<string, unknown>; result: number[] }[]> }>(
  'regression',
  'reg_n80',
);
const ood = loadFixture<{ features: number[][]; pred_probs: number[][]; labels: number[]; features_test: number[][]; expected: Record<string, any[]> }>(
  'outliers',
  'ood_k3_n80_d3_scipy',
);

/** cleanlab-format OD data → the multipart `.npy` parts. */
function odForm(labels: OdFx['labels'], predictions: OdFx['predictions'], options?: Record<string, unknown>): FormPart[] {
  const k = predictions[0]!.length;
  const boxes = labels.flatMap((l) => l.bboxes.flat());
  const parts: FormPart[] = [
    { name: 'labels_bboxes', filename: 'b.npy', data: writeNpy(boxes, '<f8', [boxes.length / 4, 4]) },
    { name: 'labels_labels', filename: 'l.npy', data: writeNpy(labels.flatMap((l) => l.labels), '<i8', [boxes.length / 4]) },
    { name: 'labels_counts', filename: 'c.npy', data: writeNpy(labels.map((l) => l.labels.length), '<i4', [labels.length]) },
  ];
  const rows = predictions.flatMap((p) => p.flatMap((arr) => arr.flat()));
  parts.push({ name: 'predictions', filename: 'p.npy', data: writeNpy(rows, '<f8', [rows.length / 5, 5]) });
  parts.push({ name: 'predictions_counts', filename: 'pc.npy', data: writeNpy(predictions.flatMap((p) => p.map((a) => a.length)), '<i8', [predictions.length, k]) });
  if (options) parts.push({ name: 'options', data: JSON.stringify(options) });
  return parts;
}

const expected = (fx: { expected: Record<string, any[]> }, fn: string, kw: Record<string, unknown> = {}) =>
  fx.expected[fn]!.find((e) => JSON.stringify(e.kwargs) === JSON.stringify(kw) && !('args' in e))!.result;

t.test('object detection: JSON, multipart and CLI agree with cleanlab', async (t) => {
  const app = await startApp(t);
  const body = { labels: od.labels, predictions: od.predictions, limit: 0, include_box_scores: true };
  const res = await app.inject({ method: 'POST', url: '/v1/object-detection/label-issues', payload: body });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const r = res.json();
  t.same(r.is_label_issue, expected(od, 'filter.find_label_issues'), 'is_label_issue = cleanlab find_label_issues');
  t.same(
    r.label_issues.map((x: { image: number }) => x.image),
    expected(od, 'filter.find_label_issues', { return_indices_ranked_by_score: true }),
    'label_issues order = cleanlab ranked find_label_issues',
  );
  t.equal(r.num_label_issues, r.label_issues.length);
  t.same(diffClose(r.box_scores.overlooked, expected(od, 'rank.compute_overlooked_box_scores')), [], 'overlooked box scores (null = NaN)');
  t.same(diffClose(r.box_scores.swap, expected(od, 'rank.compute_swap_box_scores')), [], 'swap box scores');
  const scores = expected(od, 'rank.get_label_quality_scores') as number[];
  t.same(diffClose(r.label_issues.map((x: { label_quality: number }) => x.label_quality), r.label_issues.map((x: { image: number }) => scores[x.image])), []);
  const form = await app.inject({ method: 'POST', url: '/v1/object-detection/label-issues', ...multipart(odForm(od.labels, od.predictions, { limit: 0, include_box_scores: true })) });
  t.equal(form.statusCode, 200, form.body.slice(0, 300));
  t.equal(form.body, res.body, 'multipart .npy = JSON');

  const q = await app.inject({ method: 'POST', url: '/v1/object-detection/label-quality-scores', payload: { labels: od.labels, predictions: od.predictions, threshold: 0.5 } });
  t.equal(q.statusCode, 200);
  t.same(diffClose(q.json().label_quality_scores, scores), [], 'label_quality_scores = cleanlab');
  t.same(q.json().issues, expected(od, 'rank.issues_from_scores', { label_quality_scores: 'expected.rank.get_label_quality_scores[0].result', threshold: 0.5 }));

  const s = await app.inject({ method: 'POST', url: '/v1/object-detection/summary', payload: { labels: od.labels, predictions: od.predictions } });
  t.equal(s.statusCode, 200);
  const sum = s.json();
  t.same(sum.object_counts_per_image, expected(od, 'summary.object_counts_per_image'));
  t.same(diffClose(sum.class_label_distribution, expected(od, 'summary.class_label_distribution')), []);
  t.same(diffClose(sum.per_class_metrics, expected(od, 'summary.calculate_per_class_metrics')), []);
  t.same(diffClose(sum.average_per_class_confusion_matrix, expected(od, 'summary.get_average_per_class_confusion_matrix')), []);
  t.same(diffClose(sum.bounding_box_size_distribution, expected(od, 'summary.bounding_box_size_distribution')), []);

  // CLI: `labelcheck object-detection label-issues --input -` prints the same body
  let out = '';
  const code = await main(['object-detection', 'label-issues', '--input', '-'], {
    stdout: (x) => (out += x),
    stderr: () => {},
    readStdin: () => JSON.stringify(body),
    readFile: () => new Uint8Array(),
  });
  t.equal(code, 0);
  t.equal(out.trim(), res.body, 'CLI prints the HTTP body');
});

t.test('regression and outliers: JSON and multipart agree with cleanlab', async (t) => {
  const app = await startApp(t);
  const res = await app.inject({ method: 'POST', url: '/v1/regression/label-quality-scores', payload: { labels: reg.labels, predictions: reg.predictions, limit: 5 } });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const want = expected(reg, 'rank.get_label_quality_scores') as number[];
  t.same(diffClose(res.json().label_quality_scores, want), [], 'outre scores = cleanlab');
  const lowest = want.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, 5).map((p) => p[1]);
  t.same(res.json().label_issues.map((x: { index: number }) => x.index), lowest, 'label_issues: 5 lowest, ascending');
  t.same(res.json().label_issues[0], { index: lowest[0], label: reg.labels[lowest[0]!], prediction: reg.predictions[lowest[0]!], label_quality: res.json().label_quality_scores[lowest[0]!] });
  const form = await app.inject({
    method: 'POST',
    url: '/v1/regression/label-quality-scores',
    ...multipart([
      { name: 'labels', filename: 'y.npy', data: writeNpy(reg.labels, '<f8', [reg.labels.length]) },
      { name: 'predictions', filename: 'p.npy', data: writeNpy(reg.predictions, '<f8', [reg.predictions.length]) },
      { name: 'options', data: '{"limit": 5}' },
    ]),
  });
  t.equal(form.body, res.body, 'regression multipart = JSON');

  const o = await app.inject({ method: 'POST', url: '/v1/outliers', payload: { features: ood.features, score_features: ood.features_test, limit: 3 } });
  t.equal(o.statusCode, 200, o.body.slice(0, 300));
  const fs = ood.expected['OutOfDistribution.fit+score']!.find((e) => e.kwargs.score?.features === '$features_test' && Object.keys(e.kwargs.params).length === 0).result;
  t.same(diffClose(o.json().scores, fs.scores), [], 'outlier scores of the test set = cleanlab');
  t.same(diffClose(o.json().fitted, { confident_thresholds: null, scaling_factor: fs.state_after_fit.scaling_factor, k: 10 }), []);
  t.equal(o.json().outliers.length, 3);
  const n = ood.features.length;
  const oForm = await app.inject({
    method: 'POST',
    url: '/v1/outliers',
    ...multipart([
      { name: 'features', filename: 'f.npy', data: writeNpy(ood.features.flat(), '<f8', [n, 3]) },
      { name: 'score_features', filename: 's.npy', data: writeNpy(ood.features_test.flat(), '<f8', [ood.features_test.length, 3]) },
      { name: 'options', data: '{"limit": 3}' },
    ]),
  });
  t.equal(oForm.body, o.body, 'outliers multipart = JSON');
  const pp = await app.inject({ method: 'POST', url: '/v1/outliers', payload: { pred_probs: ood.pred_probs, labels: ood.labels } });
  t.same(diffClose(pp.json().scores, expected(ood, 'OutOfDistribution.fit_score', { params: {}, pred_probs: '$pred_probs', labels: '$labels' }).scores), [], 'pred_probs entropy scores');
  const warn = executeRequest('outliers', { kind: 'json', body: { pred_probs: ood.pred_probs, params: { adjust_pred_probs: false } } }).body;
  t.match(warn['warnings'], [/No estimates need to be be fit/], "cleanlab's warnings are reported");
});

t.test('bad input: 400 naming the field', async (t) => {
  const app = await startApp(t);
  const L = od.labels;
  const P = od.predictions;
  const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
  const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
  const OD = '/v1/object-detection/label-issues';
  const withBox = (img: number) => L.findIndex((l, i) => i >= img && l.bboxes.length > 0);
  const bi = withBox(0);
  const swapped = clone(L);
  const b = swapped[bi]!.bboxes[0]!;
  [b[0], b[2]] = [b[2]!, b[0]!];
  if (b[0] === b[2]) b[0]! += 1;
  expectProblem(t, await post(OD, { labels: swapped, predictions: P }), 400, `labels[${bi}].bboxes[0]`, 'x2 < x1');
  const nan = clone(L);
  (nan[bi]!.bboxes[0] as unknown[])[1] = null;
  expectProblem(t, await post(OD, { labels: nan, predictions: P }), 400, `labels[${bi}].bboxes[0][1]`, 'NaN (null) coordinate');
  const kMismatch = clone(P);
  kMismatch[3]!.pop();
  expectProblem(t, await post(OD, { labels: L, predictions: kMismatch }), 400, 'predictions[3]', 'K mismatch');
  expectProblem(t, await post(OD, { labels: [], predictions: [] }), 400, 'predictions', 'no images');
  const badClass = clone(L);
  badClass[bi]!.labels[0] = 9;
  expectProblem(t, await post(OD, { labels: badClass, predictions: P }), 400, `labels[${bi}].labels[0]`, 'class id out of range');
  expectProblem(t, await post(OD, { labels: L.slice(1), predictions: P }), 400, 'predictions', 'N mismatch');
  const short = clone(L);
  short[bi]!.bboxes[0]!.pop();
  expectProblem(t, await post(OD, { labels: short, predictions: P }), 400, `labels[${bi}].bboxes[0]`, 'a box of 3 numbers');
  const conf = clone(P);
  const pi = conf.findIndex((p) => p[0]!.length > 0);
  conf[pi]![0]![0]![4] = 1.5;
  expectProblem(t, await post(OD, { labels: L, predictions: conf }), 400, `predictions[${pi}][0][0][4]`, 'confidence > 1');
  expectProblem(t, await post(OD, { labels: L, predictions: P, aggregation_weights: { overlooked: 0.5, swap: 0.5, badloc: 0.5 } }), 400, 'aggregation_weights', 'weights not summing to 1');
  expectProblem(t, await post('/v1/object-detection/label-quality-scores', { labels: L, predictions: P, threshold: 1.5 }), 400, 'threshold');
  expectProblem(t, await post(OD, { labels: L, predictions: P, class_names: ['a'] }), 400, 'class_names', 'class_names length');
  // multipart: a NaN coordinate and inconsistent counts
  const nanForm = odForm(L, P);
  const boxes = L.flatMap((l) => l.bboxes.flat());
  boxes[2] = NaN;
  nanForm[0] = { name: 'labels_bboxes', filename: 'b.npy', data: writeNpy(boxes, '<f8', [boxes.length / 4, 4]) };
  expectProblem(t, await app.inject({ method: 'POST', url: OD, ...multipart(nanForm) }), 400, 'labels_bboxes[0][2]', 'NaN in .npy');
  const countForm = odForm(L, P);
  countForm[2] = { name: 'labels_counts', filename: 'c.npy', data: writeNpy([1, 2], '<i4', [2]) };
  expectProblem(t, await app.inject({ method: 'POST', url: OD, ...multipart(countForm) }), 400, 'predictions_counts', 'image counts differ');

  const REG = '/v1/regression/label-quality-scores';
  expectProblem(t, await post(REG, { labels: [1, 2, 3], predictions: [1, 2] }), 400, 'predictions', 'shape mismatch');
  expectProblem(t, await post(REG, { labels: [1, null, 3], predictions: [1, 2, 3] }), 400, 'labels', 'NaN label');
  expectProblem(t, await post(REG, { labels: [2], predictions: [2.5] }), 400, 'labels', 'one example');
  expectProblem(t, await post(REG, { labels: [1, 2], predictions: [1, 2], method: 'knn' }), 400, 'method', 'unknown method');
  expectProblem(t, await post(REG, { labels: [[1, 2], [3, 4]], predictions: [1, 2] }), 400, 'labels', '2-D labels');

  const OUT = '/v1/outliers';
  expectProblem(t, await post(OUT, { features: ood.features, pred_probs: ood.pred_probs }), 400, 'features', 'both inputs');
  expectProblem(t, await post(OUT, { features: [[1, 2], [3]] }), 400, 'features', 'ragged features');
  expectProblem(t, await post(OUT, { features: [[1, 2], [3, null]] }), 400, 'features[1][1]', 'NaN feature');
  expectProblem(t, await post(OUT, { pred_probs: ood.pred_probs, labels: ood.labels.map(() => 7) }), 400, 'labels[0]', 'class id out of range');
  expectProblem(t, await post(OUT, { pred_probs: ood.pred_probs, labels: ood.labels.slice(1) }), 400, 'labels', 'labels/pred_probs shape mismatch');
  expectProblem(t, await post(OUT, { features: ood.features, params: { k: 80 } }), 400, 'params.k', 'k >= N');
  expectProblem(t, await post(OUT, { features: ood.features, score_features: [[1, 2]] }), 400, 'score_features', 'D mismatch');
  expectProblem(t, await post(OUT, { features: ood.features, params: { foo: 1 } }), 400, 'params.foo', 'unknown param');
  expectProblem(t, await post(OUT, { pred_probs: ood.pred_probs }), 400, 'labels', 'adjust_pred_probs without labels');
});

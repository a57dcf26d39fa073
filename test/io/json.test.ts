import t from 'tap';
import {
  decodeIntMatrixWithNulls,
  decodeLabelLists,
  decodeLabels,
  decodePredProbs,
  MISSING,
} from '../../src/io/json.js';
import { ingestJson } from '../../src/io/ingest.js';
import { expectInputError, randomClassification } from './helpers.js';

t.test('decodePredProbs: row-major Float64Array', async (t) => {
  const rows = [
    [0.1, 0.2, 0.7],
    [0.3, 0.3, 0.4],
  ];
  const m = decodePredProbs(JSON.parse(JSON.stringify(rows)));
  t.ok(m.data instanceof Float64Array);
  t.same([m.n, m.k], [2, 3]);
  t.same(Array.from(m.data), rows.flat(), 'values exact');
});

t.test('decodePredProbs: structural errors', async (t) => {
  expectInputError(t, () => decodePredProbs([[0.5, 0.5], [0.5, 0.5], [0.2, 0.3, 0.5], [1]]), {
    field: 'pred_probs',
    row: 2,
    message: 'pred_probs row 2 has 3 values; expected 2 (the length of row 0)',
    path: 'pred_probs[2]',
  }, 'ragged');
  expectInputError(t, () => decodePredProbs([[0.2, 0.3, 0.5], [0.2, 0.3, 0.5], [0.2, 0.3, 0.5], [0.5, 0.5]]), {
    field: 'pred_probs',
    row: 3,
    message: 'pred_probs row 3 has 2 values; expected 3 (the length of row 0)',
  }, 'ragged short');
  expectInputError(t, () => decodePredProbs([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.5, 'abc']]), {
    field: 'pred_probs',
    row: 3,
    column: 1,
    message: 'pred_probs[3][1] is "abc", expected a number',
    path: 'pred_probs[3][1]',
  }, 'string');
  expectInputError(t, () => decodePredProbs([[0.5, null]]), {
    field: 'pred_probs',
    row: 0,
    column: 1,
    message: 'pred_probs[0][1] is null, expected a number',
  }, 'null');
  expectInputError(t, () => decodePredProbs([[true, 0.5]]), {
    field: 'pred_probs',
    row: 0,
    column: 0,
    message: 'pred_probs[0][0] is true, expected a number',
  }, 'boolean');
  expectInputError(t, () => decodePredProbs([[[0.5], 0.5]]), {
    field: 'pred_probs',
    row: 0,
    column: 0,
    message: 'pred_probs[0][0] is an array, expected a number',
  }, 'nested');
  expectInputError(t, () => decodePredProbs([]), {
    field: 'pred_probs',
    message: 'pred_probs is empty: it needs at least one row (one per example)',
  }, 'empty');
  expectInputError(t, () => decodePredProbs(undefined), {
    field: 'pred_probs',
    message: 'pred_probs must be an array of rows (number[N][K]); got missing',
  }, 'missing');
  expectInputError(t, () => decodePredProbs({ a: 1 }), {
    field: 'pred_probs',
    message: 'pred_probs must be an array of rows (number[N][K]); got an object',
  }, 'object');
  expectInputError(t, () => decodePredProbs([0.5, 0.5]), {
    field: 'pred_probs',
    row: 0,
    message: 'pred_probs[0] is 0.5, expected an array of K probabilities (pred_probs is number[N][K], one row per example)',
  }, 'flat');
  expectInputError(t, () => decodePredProbs([[0.5, 0.5], 'x']), {
    field: 'pred_probs',
    row: 1,
    message: 'pred_probs[1] is "x", expected an array of 2 numbers',
  }, 'row string');
  expectInputError(t, () => decodePredProbs([[0.5, 0.5], [1]], 'models.a.pred_probs'), {
    field: 'models.a.pred_probs',
    row: 1,
    message: 'models.a.pred_probs row 1 has 1 value; expected 2 (the length of row 0)',
    path: 'models.a.pred_probs[1]',
  }, 'custom field name');
});

t.test('decodeLabels', async (t) => {
  const l = decodeLabels([0, 2, 1]);
  t.ok(l instanceof Float64Array);
  t.same(Array.from(l), [0, 2, 1]);
  t.same(Array.from(decodeLabels([2 ** 40])), [2 ** 40], 'large numbers kept exactly for the range check');
  expectInputError(t, () => decodeLabels([0, 1, true]), {
    field: 'labels',
    row: 2,
    message: 'labels[2] is true, expected an integer class index',
  }, 'boolean');
  expectInputError(t, () => decodeLabels([0, 'dog']), {
    field: 'labels',
    row: 1,
    message: 'labels[1] is "dog", expected an integer class index (labels are class indices; use class_names for names)',
  }, 'string');
  expectInputError(t, () => decodeLabels([0, null]), { field: 'labels', row: 1, message: 'labels[1] is null, expected an integer class index' });
  expectInputError(t, () => decodeLabels([[0]]), { field: 'labels', row: 0, message: 'labels[0] is an array, expected an integer class index' });
  expectInputError(t, () => decodeLabels([]), { field: 'labels', message: 'labels is empty: it needs one label per example (N >= 1)' });
  expectInputError(t, () => decodeLabels('0,1'), {
    field: 'labels',
    message: 'labels must be an array of integer class labels (int[N]); got "0,1"',
  });
});

t.test('decodeIntMatrixWithNulls (annotator label matrices)', async (t) => {
  const m = decodeIntMatrixWithNulls(
    [
      [0, null, 2],
      [null, 1, 1],
    ],
    'labels_multiannotator',
    { k: 3 },
  );
  t.same([m.n, m.m], [2, 3]);
  t.same(Array.from(m.data), [0, MISSING, 2, MISSING, 1, 1]);
  t.equal(MISSING, -1);
  expectInputError(t, () => decodeIntMatrixWithNulls([[0, 1], [1]], 'labels_multiannotator'), {
    field: 'labels_multiannotator',
    row: 1,
    message: 'labels_multiannotator row 1 has 1 value; expected 2 (the length of row 0)',
  }, 'ragged');
  expectInputError(t, () => decodeIntMatrixWithNulls([[0, 1.5]], 'x'), {
    field: 'x',
    row: 0,
    column: 1,
    message: 'x[0][1] = 1.5 is not an integer; class labels must be integers',
  }, 'non-integer');
  expectInputError(t, () => decodeIntMatrixWithNulls([[0, 3]], 'x', { k: 3 }), {
    field: 'x',
    row: 0,
    column: 1,
    message: 'x[0][1] = 3 is out of range: class labels must be [0, 3) integers',
  }, 'k');
  expectInputError(t, () => decodeIntMatrixWithNulls([[-1, 0]], 'x'), {
    field: 'x',
    row: 0,
    column: 0,
    message: 'x[0][0] = -1 is out of range: class labels must be non-negative integers',
  }, 'negative');
  expectInputError(t, () => decodeIntMatrixWithNulls([[0, 2 ** 31]], 'x'), { field: 'x', row: 0, column: 1, message: /out of range/ }, 'int32 overflow');
  expectInputError(t, () => decodeIntMatrixWithNulls([[0, 'a']], 'x'), {
    field: 'x',
    row: 0,
    column: 1,
    message: 'x[0][1] is "a", expected an integer class label or null (missing)',
  }, 'string');
  expectInputError(t, () => decodeIntMatrixWithNulls([[]], 'x'), { field: 'x', row: 0, message: 'x row 0 is empty; expected at least one column' });
  expectInputError(t, () => decodeIntMatrixWithNulls([], 'x'), { field: 'x', message: /is empty/ });
  expectInputError(t, () => decodeIntMatrixWithNulls([1, 2], 'x'), { field: 'x', row: 0, message: /x\[0\] is 1, expected an array/ });
  expectInputError(t, () => decodeIntMatrixWithNulls([[1, 2], 3], 'x'), { field: 'x', row: 1, message: /x\[1\] is 3, expected an array of 2 entries/ });
});

t.test('decodeLabelLists (multi-label)', async (t) => {
  const l = decodeLabelLists([[0, 2], [], [1]], 'labels', { k: 3 });
  t.equal(l.n, 3);
  t.same(Array.from(l.offsets), [0, 2, 2, 3]);
  t.same(Array.from(l.values), [0, 2, 1]);
  expectInputError(t, () => decodeLabelLists([[0], 2]), {
    field: 'labels',
    row: 1,
    message: 'labels[1] is 2, expected a list of class indices (write [2] for a single label)',
  }, 'number instead of list');
  expectInputError(t, () => decodeLabelLists([[0], [1, 3]], 'labels', { k: 3 }), {
    field: 'labels',
    row: 1,
    column: 1,
    message: 'labels[1][1] = 3 is out of range: class labels must be [0, 3) integers',
  }, 'range');
  expectInputError(t, () => decodeLabelLists([[0.5]]), { field: 'labels', row: 0, column: 0, message: /is not an integer/ }, 'non-int');
  expectInputError(t, () => decodeLabelLists([[null]]), {
    field: 'labels',
    row: 0,
    column: 0,
    message: 'labels[0][0] is null, expected an integer class index',
  }, 'null');
  expectInputError(t, () => decodeLabelLists([]), { field: 'labels', message: /is empty/ });
  expectInputError(t, () => decodeLabelLists(null), { field: 'labels', message: 'labels must be an array of label lists (int[N][]); got null' });
});

t.test('ingestJson: decode + validate', async (t) => {
  const { pp, labels } = randomClassification(50, 4, 9);
  const rows = Array.from({ length: 50 }, (_, i) => Array.from(pp.subarray(i * 4, i * 4 + 4)));
  const body = JSON.parse(JSON.stringify({ labels: Array.from(labels), pred_probs: rows, class_names: ['a', 'b', 'c', 'd'] }));
  const out = ingestJson(body);
  t.same(Array.from(out.labels), Array.from(labels));
  t.same(Array.from(out.predProbs.data), Array.from(pp), 'JSON round trip of float64 is exact');
  t.same(out.classNames, ['a', 'b', 'c', 'd']);
  body.labels[10] = 4;
  expectInputError(t, () => ingestJson(body), {
    field: 'labels',
    row: 10,
    message: 'labels[10] = 4 is out of range: labels must be integers in [0, 4) for 4 columns of pred_probs',
  }, 'label out of range');
  body.labels[10] = 1;
  body.pred_probs[20][3] = 1e999; // JSON.parse('1e999') is Infinity
  expectInputError(t, () => ingestJson(body), { field: 'pred_probs', row: 20, column: 3, message: /Infinity is not a finite number/ });
  expectInputError(t, () => ingestJson({ labels: [0] }), { field: 'pred_probs', message: /got missing/ }, 'missing pred_probs');
  expectInputError(t, () => ingestJson({ pred_probs: [[0.5, 0.5]] }), { field: 'labels', message: /got missing/ }, 'missing labels');
});

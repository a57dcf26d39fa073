import t from 'tap';
import { ingestArrow, ingestJson, ingestNpy } from '../../src/io/ingest.js';
import { encodeArrowClassification } from '../../src/io/arrow.js';
import { writeNpy } from '../../src/io/npy.js';
import * as io from '../../src/io/index.js';
import { expectInputError, randomClassification } from './helpers.js';

t.test('the three transports give the same validated input', async (t) => {
  const n = 64;
  const k = 4;
  const { pp, labels } = randomClassification(n, k, 21);
  const rows = Array.from({ length: n }, (_, i) => Array.from(pp.subarray(i * k, (i + 1) * k)));
  const names = ['w', 'x', 'y', 'z'];
  const fromJson = ingestJson(JSON.parse(JSON.stringify({ labels: Array.from(labels), pred_probs: rows, class_names: names })));
  const fromNpy = ingestNpy({ predProbs: writeNpy(pp, '<f8', [n, k]), labels: writeNpy(labels, '<i8', [n]), classNames: names });
  const fromArrow = ingestArrow(encodeArrowClassification(labels, { data: pp, n, k }), { classNames: names });
  for (const [name, got] of [['npy', fromNpy], ['arrow', fromArrow]] as const) {
    t.same(Array.from(got.labels), Array.from(fromJson.labels), `${name}: labels`);
    t.same(Array.from(got.predProbs.data), Array.from(fromJson.predProbs.data), `${name}: pred_probs`);
    t.same([got.predProbs.n, got.predProbs.k], [n, k], `${name}: shape`);
    t.same(got.classNames, names, `${name}: class names`);
  }
});

t.test('errors name the field on every transport', async (t) => {
  expectInputError(t, () => ingestJson(null as never), { field: 'body', message: 'the request body must be a JSON object with labels and pred_probs' });
  expectInputError(t, () => ingestNpy({ predProbs: writeNpy([0.5, 0.5], '<f4', [1, 2]), labels: writeNpy([0], '<i4', [1]).subarray(0, 3) }), {
    field: 'labels',
    message: 'labels.npy is truncated: it ends inside the magic bytes',
  });
  expectInputError(t, () => ingestNpy({ predProbs: writeNpy([0.5, 0.5], '<f4', [1, 2]), labels: writeNpy([0], '<i4', [1]), classNames: ['a'] }), {
    field: 'class_names',
    message: 'class_names has 1 name but pred_probs has 2 columns; give one name per class',
  });
  expectInputError(t, () => ingestArrow(new Uint8Array([1, 2, 3])), { field: 'body', message: /not a readable Arrow IPC stream/ });
});

t.test('the barrel exports the public API', async (t) => {
  for (const name of [
    'parseNpy', 'readNpyHeader', 'npyDataOffset', 'decodeNpyData', 'writeNpy', 'npyToProbMatrix', 'npyToLabelValues',
    'validatePredProbs', 'toLabels', 'validateClassNames', 'validateClassificationInput',
    'decodePredProbs', 'decodeLabels', 'decodeIntMatrixWithNulls', 'decodeLabelLists',
    'decodeArrowClassification', 'decodeArrowTable', 'encodeArrowClassification',
    'ingestJson', 'ingestNpy', 'ingestArrow', 'float16ToFloat32', 'numberToFloat16Bits',
  ]) {
    t.equal(typeof (io as Record<string, unknown>)[name], 'function', name);
  }
});

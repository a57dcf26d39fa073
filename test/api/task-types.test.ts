/**
 * The token-classification and segmentation routes (task-types-api.md): responses on the
 * spec's fields, JSON ≡ multipart `.npy`, the CLI by path, and bad inputs → 400 problem
 * naming the field (ragged sentences, shape mismatch, NaN, K mismatch, class id out of range).
 */
import t from 'tap';
import { main, type CliIo } from '../../src/cli.js';
import { writeNpy } from '../../src/io/npy.js';
import { executeRequest } from '../../src/service/index.js';
import { SEG_LABELS, SEG_PRED_PROBS, TOKEN_LABELS, TOKEN_PRED_PROBS, TOKEN_TOKENS } from '../helpers/examples.js';
import { expectProblem, multipart, startApp, type FormPart } from './helpers.js';

const TC = '/v1/token-classification/label-issues';
const TCS = '/v1/token-classification/label-quality-scores';
const SG = '/v1/segmentation/label-issues';
const SGS = '/v1/segmentation/label-quality-scores';

const tokenBody = { labels: TOKEN_LABELS, pred_probs: TOKEN_PRED_PROBS };
const segBody = { labels: SEG_LABELS, pred_probs: SEG_PRED_PROBS };

function tokenForm(options: Record<string, unknown> = {}, over: Partial<Record<string, Uint8Array>> = {}): FormPart[] {
  const flat = TOKEN_PRED_PROBS.flat();
  const parts: Record<string, Uint8Array> = {
    pred_probs: writeNpy(flat.flat(), '<f8', [flat.length, 3]),
    labels: writeNpy(TOKEN_LABELS.flat(), '<i8', [flat.length]),
    sentence_lengths: writeNpy(TOKEN_LABELS.map((s) => s.length), '<i8', [TOKEN_LABELS.length]),
    ...over,
  } as Record<string, Uint8Array>;
  return [
    ...Object.entries(parts).map(([name, data]) => ({ name, filename: `${name}.npy`, data })),
    { name: 'options', data: JSON.stringify(options) },
  ];
}

function segForm(options: Record<string, unknown> = {}, over: Partial<Record<string, Uint8Array>> = {}): FormPart[] {
  const parts: Record<string, Uint8Array> = {
    labels: writeNpy(SEG_LABELS.flat(2), '|u1', [2, 2, 2]),
    pred_probs: writeNpy(SEG_PRED_PROBS.flat(3), '<f4', [2, 2, 2, 2]),
    ...over,
  } as Record<string, Uint8Array>;
  return [
    ...Object.entries(parts).map(([name, data]) => ({ name, filename: `${name}.npy`, data })),
    { name: 'options', data: JSON.stringify(options) },
  ];
}

t.test('token classification routes', async (t) => {
  const app = await startApp(t);
  const res = await app.inject({ method: 'POST', url: TC, payload: { ...tokenBody, tokens: TOKEN_TOKENS, filter_by: 'predicted_neq_given', min_examples_per_class: 0, include_scores: true } });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const body = res.json();
  t.equal(body.num_sentences, 3);
  t.equal(body.num_tokens, 6);
  t.equal(body.num_label_issues, 2);
  t.same(body.label_issues, [
    { sentence: 2, token: 1, given_label: 0, suggested_label: 2, label_quality: 0.1, token_text: 'Lima' },
    { sentence: 0, token: 2, given_label: 1, suggested_label: 0, label_quality: 0.2, token_text: 'Bob' },
  ]);
  t.same(body.common_label_issues, [
    { token: 'Lima', given_label: 0, predicted_label: 2, num_label_issues: 1 },
    { token: 'Bob', given_label: 1, predicted_label: 0, num_label_issues: 1 },
  ]);
  t.same(body.sentence_scores, [0.2, 0.6, 0.1]);
  t.same(body.token_scores, [[0.9, 0.8, 0.2], [0.6], [0.6, 0.1]]);

  const viaForm = await app.inject({ method: 'POST', url: TC, ...multipart(tokenForm({ filter_by: 'predicted_neq_given', min_examples_per_class: 0, limit: 1 })) });
  t.equal(viaForm.statusCode, 200, viaForm.body.slice(0, 300));
  t.same(viaForm.json().label_issues, [body.label_issues[0]].map(({ token_text: _, ...r }: Record<string, unknown>) => r), 'multipart = JSON; limit');

  const scores = await app.inject({ method: 'POST', url: TCS, payload: { ...tokenBody, sentence_score_method: 'softmin', sentence_score_kwargs: { temperature: 'inf' }, threshold: 0.5 } });
  t.equal(scores.statusCode, 200, scores.body.slice(0, 300));
  const s = scores.json();
  t.ok(Math.abs(s.sentence_scores[0] - (0.9 + 0.8 + 0.2) / 3) < 1e-15, 'temperature "inf": the mean');
  t.same(s.issues, [[2, 1], [0, 2]]);
  t.same(s.sentence_issues, [2], 'the sentence whose mean is below 0.5');
  const allBelow = await app.inject({ method: 'POST', url: TCS, payload: { ...tokenBody, threshold: 1 } });
  expectProblem(t, allBelow, 400, 'threshold', 'every sentence below the threshold (cleanlab raises)');
});

t.test('segmentation routes', async (t) => {
  const app = await startApp(t);
  const res = await app.inject({ method: 'POST', url: SG, payload: { ...segBody, include_mask: true } });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const body = res.json();
  t.equal(body.num_images, 2);
  t.equal(body.num_label_issues, 1);
  t.same(body.num_pixel_issues, [0, 1]);
  t.same(body.label_issues.map((r: { image: number }) => r.image), [1]);
  t.same(body.common_label_issues, [{ given_label: '1', predicted_label: '0', num_pixel_issues: 1 }]);
  t.same(body.mask, [[[0, 0], [0, 0]], [[0, 1], [0, 0]]]);
  const viaForm = await app.inject({ method: 'POST', url: SG, ...multipart(segForm({ include_mask: true })) });
  t.equal(viaForm.statusCode, 200, viaForm.body.slice(0, 300));
  t.same(viaForm.json().mask, body.mask, 'multipart (uint8 labels, float32 pred_probs) = JSON');

  const scores = await app.inject({ method: 'POST', url: SGS, payload: { ...segBody, threshold: 0.5, include_pixel_scores: true } });
  t.equal(scores.statusCode, 200, scores.body.slice(0, 300));
  const s = scores.json();
  t.equal(s.image_scores.length, 2);
  t.same(s.issues, [1, 0], 'below the threshold plus one (cleanlab)');
  t.same(s.pixel_scores[1], [[0.9, 0.05], [0.9, 0.8]]);
  const ds = await app.inject({ method: 'POST', url: SGS, payload: { ...segBody, downsample: 2 } });
  t.same(ds.json().warnings, ['image will not downsample for method softmin is only for method: num_pixel_issues']);
});

t.test('bad inputs: 400 problem naming the field', async (t) => {
  const app = await startApp(t);
  const json: [string, string, Record<string, unknown>, string][] = [
    ['ragged sentence', TC, { labels: [[0, 1], [2]], pred_probs: [[[0.5, 0.5, 0]], [[0, 0, 1]]] }, 'pred_probs'],
    ['rows of different K', TC, { labels: [[0, 1]], pred_probs: [[[0.5, 0.5, 0], [0.5, 0.5]]] }, 'pred_probs'],
    ['sentences count mismatch', TCS, { labels: [[0]], pred_probs: [[[1, 0]], [[0, 1]]] }, 'pred_probs'],
    ['NaN probability', TC, { labels: [[0, 1]], pred_probs: [[[0.5, 0.5], [null, 1]]] }, 'pred_probs'],
    ['class id out of range', TC, { labels: [[0, 3]], pred_probs: [[[0.5, 0.5], [0.5, 0.5]]] }, 'labels'],
    ['K mismatch (class_names)', TC, { ...tokenBody, class_names: ['a', 'b'] }, 'class_names'],
    ['tokens ragged', TC, { ...tokenBody, tokens: [['a'], ['b'], ['c', 'd']] }, 'tokens'],
    ['unknown sentence method', TCS, { ...tokenBody, sentence_score_method: 'max' }, 'sentence_score_method'],
    ['unknown rank_by', TC, { ...tokenBody, rank_by: 'entropy' }, 'rank_by'],
    ['labels not N×H×W', SG, { labels: [[0, 1]], pred_probs: SEG_PRED_PROBS }, 'labels'],
    ['pred_probs H mismatch', SG, { labels: SEG_LABELS, pred_probs: SEG_PRED_PROBS.map((img) => img.map((c) => c.slice(0, 1))) }, 'pred_probs'],
    ['ragged mask', SG, { labels: [[[0, 0], [1]], [[0, 1], [1, 1]]], pred_probs: SEG_PRED_PROBS }, 'labels'],
    ['NaN pixel probability', SGS, { labels: SEG_LABELS, pred_probs: [[[[null, 0.8], [0.2, 0.1]], [[0.1, 0.2], [0.8, 0.9]]], SEG_PRED_PROBS[1]] }, 'pred_probs'],
    ['class id out of range (pixel)', SG, { labels: [[[0, 0], [1, 5]], [[0, 1], [1, 1]]], pred_probs: SEG_PRED_PROBS }, 'labels'],
    ['K mismatch (class_names)', SG, { ...segBody, class_names: ['a', 'b', 'c'] }, 'class_names'],
    ['downsample not dividing', SG, { ...segBody, downsample: 3 }, 'downsample'],
    ['temperature 0', SGS, { ...segBody, temperature: 0 }, 'temperature'],
    ['batch_size 0', SGS, { ...segBody, method: 'num_pixel_issues', batch_size: 0 }, 'batch_size'],
    ['threshold > 1', SGS, { ...segBody, threshold: 1.5 }, 'threshold'],
    ['unknown method', SGS, { ...segBody, method: 'softmax' }, 'method'],
  ];
  for (const [name, url, payload, field] of json) {
    expectProblem(t, await app.inject({ method: 'POST', url, payload }), 400, field, name);
  }
  const forms: [string, string, FormPart[], string][] = [
    ['sentence_lengths do not add up', TC, tokenForm({}, { sentence_lengths: writeNpy([3, 1], '<i8', [2]) }), 'sentence_lengths'],
    ['labels length ≠ tokens', TC, tokenForm({}, { labels: writeNpy([0, 1], '<i8', [2]) }), 'labels'],
    ['missing sentence_lengths part', TC, tokenForm().filter((p) => p.name !== 'sentence_lengths'), 'sentence_lengths'],
    ['pred_probs not 4-D', SG, segForm({}, { pred_probs: writeNpy(SEG_PRED_PROBS.flat(3), '<f4', [2, 8]) }), 'pred_probs'],
    ['N mismatch', SG, segForm({}, { labels: writeNpy(SEG_LABELS.flat(2).slice(0, 4), '|u1', [1, 2, 2]) }), 'pred_probs'],
    ['NaN in float32 pred_probs', SG, segForm({}, { pred_probs: writeNpy([NaN, ...SEG_PRED_PROBS.flat(3).slice(1)], '<f4', [2, 2, 2, 2]) }), 'pred_probs'],
  ];
  for (const [name, url, parts, field] of forms) {
    expectProblem(t, await app.inject({ method: 'POST', url, ...multipart(parts) }), 400, field, name);
  }
});

t.test('CLI: `labelcheck <family> <route>` prints the route body', async (t) => {
  const out: string[] = [];
  const io: CliIo = {
    stdout: (s) => void out.push(s),
    stderr: () => {},
    readStdin: () => JSON.stringify(segBody),
    readFile: () => Buffer.from(JSON.stringify(tokenBody)),
  };
  t.equal(await main(['token-classification', 'label-issues', '--input', 'req.json'], io), 0);
  t.same(JSON.parse(out.join('')), executeRequest('token-classification/label-issues', { kind: 'json', body: tokenBody }).body);
  out.length = 0;
  t.equal(await main(['segmentation', 'label-quality-scores', '--input', '-'], io), 0);
  t.same(JSON.parse(out.join('')), executeRequest('segmentation/label-quality-scores', { kind: 'json', body: segBody }).body);
});

/**
 * Every endpoint the service registers (ENDPOINTS) is served over HTTP: a valid JSON
 * request returns exactly the service's output, a multipart `.npy` request with the same
 * arrays returns the same bytes, and an empty body is a 400 problem (not a 404).
 * The classification routes are covered option by option in routes.test.ts.
 */
import t from 'tap';
import { writeNpy } from '../../src/io/npy.js';
import { ENDPOINTS, executeRequest } from '../../src/service/index.js';
import { expectProblem, jsonBody, multipart, npyParts, startApp, syntheticDataset, type FormPart } from './helpers.js';
import { loadFixture } from '../helpers/fixtures.js';
import { SEG_LABELS, SEG_PRED_PROBS, TOKEN_LABELS, TOKEN_PRED_PROBS } from '../helpers/examples.js';

const fixture = (dir: string, name: string) => loadFixture(dir, name);

const d = syntheticDataset(300, 4, 31);
const argmax = Array.from({ length: d.n }, (_, i) => {
  let a = 0;
  for (let j = 1; j < d.k; j++) if (d.predProbs[i * d.k + j]! > d.predProbs[i * d.k + a]!) a = j;
  return a;
});
const ml = fixture('multilabel', 'ml_k3_n200');
const ma = fixture('multiannotator', 'ma_k3_n100_m5');

/** A valid JSON request and the equivalent multipart form, per endpoint. */
function requestFor(name: string): { json: Record<string, unknown>; form?: FormPart[] } | undefined {
  const p = npyParts(d);
  const classificationForm = (options: Record<string, unknown>): FormPart[] => [
    { name: 'pred_probs', filename: 'pred_probs.npy', data: p.pred_probs },
    { name: 'labels', filename: 'labels.npy', data: p.labels },
    { name: 'options', data: JSON.stringify(options) },
  ];
  switch (name) {
    case 'label-issues':
    case 'confident-joint':
    case 'label-quality-scores':
    case 'dataset-health':
      return { json: jsonBody(d), form: classificationForm({}) };
    case 'corrected-accuracy': {
      const models = { argmax_model: { predictions: argmax }, constant_model: { predictions: argmax.map(() => 0) } };
      return { json: jsonBody(d, { models }), form: classificationForm({ models }) };
    }
    case 'multilabel-label-issues': {
      const n = ml.labels.length as number;
      const k = ml.pred_probs[0].length as number;
      const onehot = new Uint8Array(n * k);
      (ml.labels as number[][]).forEach((ls, i) => ls.forEach((c) => (onehot[i * k + c] = 1)));
      return {
        json: { labels: ml.labels, pred_probs: ml.pred_probs, limit: 0 },
        form: [
          { name: 'pred_probs', filename: 'pred_probs.npy', data: writeNpy((ml.pred_probs as number[][]).flat(), '<f8', [n, k]) },
          { name: 'labels', filename: 'labels.npy', data: writeNpy(onehot, '|u1', [n, k]) },
          { name: 'options', data: '{"limit": 0}' },
        ],
      };
    }
    case 'multiannotator-consensus': {
      const n = ma.labels_multiannotator.length as number;
      const m = ma.labels_multiannotator[0].length as number;
      const k = ma.pred_probs[0].length as number;
      const flat = (ma.labels_multiannotator as (number | null)[][]).flat().map((v) => (v === null ? -1 : v));
      return {
        json: { labels_multiannotator: ma.labels_multiannotator, pred_probs: ma.pred_probs },
        form: [
          { name: 'labels_multiannotator', filename: 'l.npy', data: writeNpy(flat, '<i8', [n, m]) },
          { name: 'pred_probs', filename: 'p.npy', data: writeNpy((ma.pred_probs as number[][]).flat(), '<f8', [n, k]) },
        ],
      };
    }
    case 'token-classification/label-issues':
    case 'token-classification/label-quality-scores': {
      const flat = TOKEN_PRED_PROBS.flat();
      return {
        json: { labels: TOKEN_LABELS, pred_probs: TOKEN_PRED_PROBS },
        form: [
          { name: 'pred_probs', filename: 'p.npy', data: writeNpy(flat.flat(), '<f8', [flat.length, 3]) },
          { name: 'labels', filename: 'l.npy', data: writeNpy(TOKEN_LABELS.flat(), '<i8', [flat.length]) },
          { name: 'sentence_lengths', filename: 's.npy', data: writeNpy(TOKEN_LABELS.map((x) => x.length), '<i8', [TOKEN_LABELS.length]) },
        ],
      };
    }
    case 'segmentation/label-issues':
    case 'segmentation/label-quality-scores':
      return {
        json: { labels: SEG_LABELS, pred_probs: SEG_PRED_PROBS },
        form: [
          { name: 'labels', filename: 'l.npy', data: writeNpy(SEG_LABELS.flat(2), '|u1', [2, 2, 2]) },
          { name: 'pred_probs', filename: 'p.npy', data: writeNpy(SEG_PRED_PROBS.flat(3), '<f8', [2, 2, 2, 2]) },
        ],
      };
    default:
      return undefined;
  }
}

t.test('every registered endpoint is served', async (t) => {
  const app = await startApp(t);
  t.ok(ENDPOINTS.length >= 5, `${ENDPOINTS.length} endpoints`);
  const names = new Set(ENDPOINTS.map((e) => e.name));
  t.equal(names.size, ENDPOINTS.length, 'endpoint names are unique');
  t.equal(new Set(ENDPOINTS.map((e) => e.path)).size, ENDPOINTS.length, 'endpoint paths are unique');
  for (const endpoint of ENDPOINTS) {
    t.match(endpoint.path, /^\/v1\//, `${endpoint.name}: under /v1`);
    const empty = await app.inject({ method: 'POST', url: endpoint.path, payload: {} });
    expectProblem(t, empty, 400, undefined, `${endpoint.name}: empty body`);

    const req = requestFor(endpoint.name);
    if (!req) {
      // A new endpoint without a sample request here: at least it is routed.
      t.not(empty.statusCode, 404, `${endpoint.name}: routed (add a sample request to all-routes.test.ts)`);
      continue;
    }
    const want = JSON.stringify(executeRequest(endpoint.name, { kind: 'json', body: JSON.parse(JSON.stringify(req.json)) }).body);
    const viaJson = await app.inject({ method: 'POST', url: endpoint.path, payload: req.json });
    t.equal(viaJson.statusCode, 200, `${endpoint.name}: JSON 200 (${viaJson.statusCode === 200 ? '' : viaJson.body.slice(0, 300)})`);
    t.equal(viaJson.body, want, `${endpoint.name}: JSON body = service output`);
    if (req.form) {
      const viaForm = await app.inject({ method: 'POST', url: endpoint.path, ...multipart(req.form) });
      t.equal(viaForm.statusCode, 200, `${endpoint.name}: multipart 200 (${viaForm.statusCode === 200 ? '' : viaForm.body.slice(0, 300)})`);
      t.equal(viaForm.body, want, `${endpoint.name}: multipart body = JSON body`);
    }
  }
});

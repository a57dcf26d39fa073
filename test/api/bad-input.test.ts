/**
 * The bad-input corpus: every case must come back as the documented status with an RFC
 * 9457 problem whose `errors[]` names the offending field, and the service must keep
 * serving afterwards (same app, same worker pool).
 */
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { encodeArrowClassification } from '../../src/io/arrow.js';
import { writeNpy } from '../../src/io/npy.js';
import { expectProblem, multipart, startApp, syntheticDataset, toRows, type FormPart } from './helpers.js';

const d = syntheticDataset(6, 3, 21);
const rows = toRows(d);
const labels = Array.from(d.labels);
const ppNpy = writeNpy(d.predProbs, '<f8', [d.n, d.k]);
const labNpy = writeNpy(d.labels, '<i8', [d.n]);

/** A .npy file with an arbitrary header dict (for dtypes writeNpy refuses). */
function rawNpy(dict: string, data: Uint8Array): Uint8Array {
  let header = dict;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}

const withRow = (i: number, row: unknown[]) => rows.map((r, j) => (j === i ? row : r));

interface Case {
  name: string;
  endpoint?: string;
  status: number;
  field: string | RegExp;
  /** JSON body (serialised with JSON.stringify unless `raw`). */
  json?: unknown;
  raw?: string;
  form?: FormPart[];
  arrow?: { bytes: Uint8Array; query?: string; header?: string };
  contentType?: string;
}

const jsonCases: Case[] = [
  { name: 'NaN (as the string "NaN")', status: 400, field: 'pred_probs', json: { labels, pred_probs: withRow(2, ['NaN', 0.5, 0.5]) } },
  { name: 'NaN as a bare token (invalid JSON)', status: 400, field: 'body', raw: `{"labels":[0],"pred_probs":[[NaN,0.5,0.5]]}` },
  { name: 'Infinity (as a string)', status: 400, field: 'pred_probs', json: { labels, pred_probs: withRow(1, ['Infinity', 0, 0]) } },
  { name: 'Infinity (1e999 overflows to Infinity)', status: 400, field: 'pred_probs', raw: JSON.stringify({ labels, pred_probs: rows }).replace(/\[\[[^\]]*\]/, '[[1e999,0,0]') },
  { name: 'negative probability', status: 400, field: 'pred_probs', json: { labels, pred_probs: withRow(3, [-0.2, 0.6, 0.6]) } },
  { name: 'probability > 1', status: 400, field: 'pred_probs', json: { labels, pred_probs: withRow(0, [1.5, 0, 0]) } },
  { name: 'row does not sum to 1', status: 400, field: 'pred_probs', json: { labels, pred_probs: withRow(4, [0.2, 0.2, 0.2]) } },
  { name: 'ragged rows', status: 400, field: 'pred_probs', json: { labels, pred_probs: withRow(5, [0.5, 0.5]) } },
  { name: 'empty arrays', status: 400, field: /^(pred_probs|labels)/, json: { labels: [], pred_probs: [] } },
  { name: 'empty rows (K=0)', status: 400, field: 'pred_probs', json: { labels: [0], pred_probs: [[]] } },
  { name: 'K = 1', status: 400, field: 'pred_probs', json: { labels: [0, 0], pred_probs: [[1], [1]] } },
  { name: 'N mismatch', status: 400, field: 'labels', json: { labels: labels.slice(1), pred_probs: rows } },
  { name: 'label out of range', status: 400, field: 'labels', json: { labels: [...labels.slice(0, 5), 3], pred_probs: rows } },
  { name: 'negative label', status: 400, field: 'labels', json: { labels: [-1, ...labels.slice(1)], pred_probs: rows } },
  { name: 'non-integer label', status: 400, field: 'labels', json: { labels: [0.5, ...labels.slice(1)], pred_probs: rows } },
  { name: 'label as a string', status: 400, field: 'labels', json: { labels: ['1', ...labels.slice(1)], pred_probs: rows } },
  { name: 'pred_probs missing', status: 400, field: 'pred_probs', json: { labels } },
  { name: 'labels missing', status: 400, field: 'labels', json: { pred_probs: rows } },
  { name: 'pred_probs is a string', status: 400, field: 'pred_probs', json: { labels, pred_probs: 'all of them' } },
  { name: 'pred_probs row is null', status: 400, field: 'pred_probs', json: { labels, pred_probs: withRow(2, null as never) } },
  { name: 'body is an array', status: 400, field: 'body', json: [labels, rows] },
  { name: 'body is a number', status: 400, field: 'body', raw: '42' },
  { name: 'malformed JSON', status: 400, field: 'body', raw: '{"labels": [0, 1], "pred_probs": [[0.5, 0.5]' },
  { name: 'empty JSON body', status: 400, field: 'body', raw: '' },
  { name: 'unknown option', status: 400, field: 'filterby', json: { labels, pred_probs: rows, filterby: 'both' } },
  { name: 'filter_by wrong type', status: 400, field: 'filter_by', json: { labels, pred_probs: rows, filter_by: 3 } },
  { name: 'filter_by unknown value', status: 400, field: 'filter_by', json: { labels, pred_probs: rows, filter_by: 'prune_by_magic' } },
  { name: 'rank_by wrong type', status: 400, field: 'rank_by', json: { labels, pred_probs: rows, rank_by: ['self_confidence'] } },
  { name: 'frac_noise string', status: 400, field: 'frac_noise', json: { labels, pred_probs: rows, frac_noise: '0.5' } },
  { name: 'frac_noise 0', status: 400, field: 'frac_noise', json: { labels, pred_probs: rows, frac_noise: 0 } },
  { name: 'frac_noise > 1', status: 400, field: 'frac_noise', json: { labels, pred_probs: rows, frac_noise: 2 } },
  { name: 'num_to_remove_per_class not an array', status: 400, field: 'num_to_remove_per_class', json: { labels, pred_probs: rows, num_to_remove_per_class: 2 } },
  { name: 'num_to_remove_per_class wrong length', status: 400, field: 'num_to_remove_per_class', json: { labels, pred_probs: rows, num_to_remove_per_class: [1, 1] } },
  { name: 'num_to_remove_per_class negative', status: 400, field: 'num_to_remove_per_class', json: { labels, pred_probs: rows, num_to_remove_per_class: [1, -1, 0] } },
  { name: 'min_examples_per_class negative', status: 400, field: 'min_examples_per_class', json: { labels, pred_probs: rows, min_examples_per_class: -1 } },
  { name: 'min_examples_per_class fractional', status: 400, field: 'min_examples_per_class', json: { labels, pred_probs: rows, min_examples_per_class: 1.5 } },
  { name: 'limit negative', status: 400, field: 'limit', json: { labels, pred_probs: rows, limit: -1 } },
  { name: 'limit as a string', status: 400, field: 'limit', json: { labels, pred_probs: rows, limit: '10' } },
  { name: 'adjust_pred_probs not boolean', status: 400, field: 'adjust_pred_probs', json: { labels, pred_probs: rows, adjust_pred_probs: 'yes' } },
  { name: 'include_scores not boolean', status: 400, field: 'include_scores', json: { labels, pred_probs: rows, include_scores: 1 } },
  { name: 'class_names wrong length', status: 400, field: 'class_names', json: { labels, pred_probs: rows, class_names: ['a', 'b'] } },
  { name: 'class_names not strings', status: 400, field: 'class_names', json: { labels, pred_probs: rows, class_names: [1, 2, 3] } },
  { name: 'confident-joint: calibrate as a string', endpoint: 'confident-joint', status: 400, field: 'calibrate', json: { labels, pred_probs: rows, calibrate: 'true' } },
  { name: 'confident-joint: unknown option', endpoint: 'confident-joint', status: 400, field: 'filter_by', json: { labels, pred_probs: rows, filter_by: 'both' } },
  { name: 'label-quality-scores: unknown method', endpoint: 'label-quality-scores', status: 400, field: 'method', json: { labels, pred_probs: rows, method: 'vibes' } },
  { name: 'label-quality-scores: adjust_pred_probs wrong type', endpoint: 'label-quality-scores', status: 400, field: 'adjust_pred_probs', json: { labels, pred_probs: rows, adjust_pred_probs: null } },
  { name: 'dataset-health: asymmetric wrong type', endpoint: 'dataset-health', status: 400, field: 'asymmetric', json: { labels, pred_probs: rows, asymmetric: 'no' } },
  { name: 'dataset-health: bad row', endpoint: 'dataset-health', status: 400, field: 'pred_probs', json: { labels, pred_probs: withRow(1, [0.9, 0.9, 0.9]) } },
];

const files = (pp: Uint8Array | null, lab: Uint8Array | null, extra: FormPart[] = []): FormPart[] => [
  ...(pp ? [{ name: 'pred_probs', filename: 'pred_probs.npy', data: pp }] : []),
  ...(lab ? [{ name: 'labels', filename: 'labels.npy', data: lab }] : []),
  ...extra,
];

const nanPp = Float64Array.from(d.predProbs);
nanPp[4] = Number.NaN;
const infPp = Float64Array.from(d.predProbs);
infPp[7] = Number.POSITIVE_INFINITY;

const npyCases: Case[] = [
  { name: 'npy: not a .npy file', status: 400, field: 'pred_probs', form: files(new TextEncoder().encode('this is not numpy'), labNpy) },
  { name: 'npy: truncated data', status: 400, field: 'pred_probs', form: files(ppNpy.slice(0, ppNpy.length - 9), labNpy) },
  { name: 'npy: truncated header', status: 400, field: 'labels', form: files(ppNpy, labNpy.slice(0, 20)) },
  { name: 'npy: Fortran order', status: 400, field: 'pred_probs', form: files(writeNpy(d.predProbs, '<f8', [d.n, d.k], { fortranOrder: true }), labNpy) },
  { name: 'npy: unsupported dtype (complex64)', status: 400, field: 'pred_probs', form: files(rawNpy(`{'descr': '<c8', 'fortran_order': False, 'shape': (${d.n}, ${d.k}), }`, new Uint8Array(d.n * d.k * 8)), labNpy) },
  { name: 'npy: unsupported dtype (unicode labels)', status: 400, field: 'labels', form: files(ppNpy, rawNpy(`{'descr': '<U1', 'fortran_order': False, 'shape': (${d.n},), }`, new Uint8Array(d.n * 4))) },
  { name: 'npy: integer pred_probs', status: 400, field: 'pred_probs', form: files(writeNpy(new Int32Array(d.n * d.k), '<i4', [d.n, d.k]), labNpy) },
  { name: 'npy: float labels', status: 400, field: 'labels', form: files(ppNpy, writeNpy(Float64Array.from(d.labels, (x) => x + 0.5), '<f8', [d.n])) },
  { name: 'npy: pred_probs 1-D', status: 400, field: 'pred_probs', form: files(writeNpy(d.predProbs, '<f8', [d.n * d.k]), labNpy) },
  { name: 'npy: labels 2-D', status: 400, field: 'labels', form: files(ppNpy, writeNpy(d.labels, '<i8', [d.n, 1])) },
  { name: 'npy: N mismatch', status: 400, field: 'labels', form: files(ppNpy, writeNpy(d.labels.subarray(0, 5), '<i8', [5])) },
  { name: 'npy: NaN value', status: 400, field: 'pred_probs', form: files(writeNpy(nanPp, '<f8', [d.n, d.k]), labNpy) },
  { name: 'npy: Infinity value', status: 400, field: 'pred_probs', form: files(writeNpy(infPp, '<f8', [d.n, d.k]), labNpy) },
  { name: 'npy: label out of range (uint8)', status: 400, field: 'labels', form: files(ppNpy, writeNpy(Uint8Array.from(d.labels, () => 200), '|u1', [d.n])) },
  { name: 'multipart: options not JSON', status: 400, field: 'options', form: files(ppNpy, labNpy, [{ name: 'options', data: "{'filter_by': 'both'}" }]) },
  { name: 'multipart: options declared JSON but invalid', status: 400, field: 'options', form: files(ppNpy, labNpy, [{ name: 'options', data: '{oops', contentType: 'application/json' }]) },
  { name: 'multipart: options is an array', status: 400, field: 'options', form: files(ppNpy, labNpy, [{ name: 'options', data: '["both"]' }]) },
  { name: 'multipart: unknown option', status: 400, field: 'rankby', form: files(ppNpy, labNpy, [{ name: 'options', data: '{"rankby": "x"}' }]) },
  { name: 'multipart: wrong option type', status: 400, field: 'limit', form: files(ppNpy, labNpy, [{ name: 'options', data: '{"limit": true}' }]) },
  { name: 'multipart: pred_probs part missing', status: 400, field: 'pred_probs', form: files(null, labNpy) },
  { name: 'multipart: labels part missing', status: 400, field: 'labels', form: files(ppNpy, null) },
  { name: 'multipart: unexpected file part', status: 400, field: 'weights', form: files(ppNpy, labNpy, [{ name: 'weights', filename: 'w.npy', data: labNpy }]) },
  { name: 'multipart: labels as a text field', status: 400, field: 'labels', form: files(ppNpy, null, [{ name: 'labels', data: '[0,1,2]' }]) },
  { name: 'multipart: option as its own text field', status: 400, field: 'filter_by', form: files(ppNpy, labNpy, [{ name: 'filter_by', data: 'both' }]) },
  { name: 'multipart: pred_probs sent twice', status: 400, field: 'pred_probs', form: files(ppNpy, labNpy, [{ name: 'pred_probs', filename: 'again.npy', data: ppNpy }]) },
];

const arrowBytes = encodeArrowClassification(d.labels, { data: d.predProbs, n: d.n, k: d.k });
const arrowCases: Case[] = [
  { name: 'arrow: not an Arrow stream', status: 400, field: /^(body|arrow|pred_probs|labels)/, arrow: { bytes: new TextEncoder().encode('definitely not arrow') } },
  { name: 'arrow: options query not JSON', status: 400, field: 'options', arrow: { bytes: arrowBytes, query: '{limit:3}' } },
  { name: 'arrow: options header not JSON', status: 400, field: 'options', arrow: { bytes: arrowBytes, header: 'limit=3' } },
  { name: 'arrow: wrong option type', status: 400, field: 'frac_noise', arrow: { bytes: arrowBytes, query: '{"frac_noise": "lots"}' } },
  {
    name: 'arrow: labels column missing',
    status: 400,
    field: 'labels',
    arrow: { bytes: encodeArrowClassification(d.labels, { data: d.predProbs, n: d.n, k: d.k }, { columns: { labels: 'y' } }) },
  },
];

const transportCases: Case[] = [
  { name: 'wrong content type (text/csv)', status: 415, field: 'content-type', raw: 'label,p0,p1\n0,0.5,0.5', contentType: 'text/csv' },
  { name: 'wrong content type (application/x-npy)', status: 415, field: 'content-type', raw: 'xx', contentType: 'application/x-npy' },
];

async function send(app: FastifyInstance, c: Case) {
  const url = `/v1/${c.endpoint ?? 'label-issues'}`;
  if (c.form) return app.inject({ method: 'POST', url, ...multipart(c.form) });
  if (c.arrow) {
    const q = c.arrow.query !== undefined ? `?options=${encodeURIComponent(c.arrow.query)}` : '';
    const headers: Record<string, string> = { 'content-type': 'application/vnd.apache.arrow.stream' };
    if (c.arrow.header !== undefined) headers['x-labelcheck-options'] = c.arrow.header;
    return app.inject({ method: 'POST', url: url + q, payload: Buffer.from(c.arrow.bytes), headers });
  }
  const payload = c.raw !== undefined ? c.raw : JSON.stringify(c.json);
  return app.inject({ method: 'POST', url, payload, headers: { 'content-type': c.contentType ?? 'application/json' } });
}

t.test('bad-input corpus', async (t) => {
  const app = await startApp(t, { workers: 1, bodyLimitBytes: 256 * 1024 });
  const all = [...jsonCases, ...npyCases, ...arrowCases, ...transportCases];
  t.ok(all.length >= 40, `${all.length} cases`);
  for (const c of all) {
    const res = await send(app, c);
    expectProblem(t, res, c.status, c.field, c.name);
  }

  // Transport-level cases that need hand-made bodies.
  const mp = multipart(files(ppNpy, labNpy));
  const truncated = mp.payload.subarray(0, mp.payload.length - 60);
  expectProblem(t, await app.inject({ method: 'POST', url: '/v1/label-issues', payload: truncated, headers: mp.headers }), 400, /^(body|pred_probs|labels)$/, 'multipart: truncated body');
  expectProblem(
    t,
    await app.inject({ method: 'POST', url: '/v1/label-issues', payload: mp.payload, headers: { 'content-type': 'multipart/form-data' } }),
    400,
    'body',
    'multipart: no boundary',
  );
  const huge = '[' + '0.5,'.repeat(80_000) + '0.5]';
  expectProblem(
    t,
    await app.inject({ method: 'POST', url: '/v1/label-issues', payload: `{"labels":${huge}}`, headers: { 'content-type': 'application/json' } }),
    413,
    'body',
    'oversize JSON body',
  );
  const bigNpy = writeNpy(new Float64Array(40_000), '<f8', [20_000, 2]);
  expectProblem(t, await app.inject({ method: 'POST', url: '/v1/label-issues', ...multipart(files(bigNpy, labNpy)) }), 413, 'pred_probs', 'oversize .npy part');

  // The process and the pool are still serving.
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'healthz after the corpus');
  const good = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: { labels, pred_probs: rows } });
  t.equal(good.statusCode, 200, 'a valid request after the corpus');
  t.equal(app.compute.state, 'ready', 'pool still ready');
  t.equal(app.compute.inFlight, 0, 'nothing left in flight');
});

/**
 * Every /v1 route, every option, every content type (JSON, multipart .npy, Arrow IPC),
 * through fastify.inject with the real worker pool and service:
 * - the three content types give byte-identical bodies, equal to the service's own
 *   output for the same request (what the CLI prints);
 * - each option has its documented effect;
 * - HTTP output matches cleanlab 2.9 on copied parity fixtures, and the real CLI
 *   prints byte-identical JSON.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { encodeArrowClassification } from '../../src/io/arrow.js';
import { ENDPOINTS, executeRequest } from '../../src/service/index.js';
import { expectProblem, jsonBody, multipart, npyForm, npyParts, startApp, syntheticDataset, type Dataset } from './helpers.js';
import { loadFixture } from '../helpers/fixtures.js';

const execFileP = promisify(execFile);
const root = new URL('../../', import.meta.url);

const d = syntheticDataset(400, 4, 11);

/** What the service (and so the CLI) returns for this JSON body, as JSON text. */
function expectedText(endpoint: string, body: Record<string, unknown>): string {
  return JSON.stringify(executeRequest(endpoint, { kind: 'json', body: JSON.parse(JSON.stringify(body)) }).body);
}

async function postJson(app: FastifyInstance, path: string, body: unknown) {
  return app.inject({ method: 'POST', url: path, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

async function post(app: FastifyInstance, endpoint: string, options: Record<string, unknown> = {}, data: Dataset = d) {
  const res = await postJson(app, `/v1/${endpoint}`, jsonBody(data, options));
  return res;
}

function classificationCount(): number {
  return ENDPOINTS.filter((e) => ['label-issues', 'confident-joint', 'label-quality-scores', 'dataset-health'].includes(e.name)).length;
}

function arrowOf(data: Dataset): Uint8Array {
  return encodeArrowClassification(data.labels, { data: data.predProbs, n: data.n, k: data.k });
}

t.test('routes', async (t) => {
  const app = await startApp(t, { workers: 1 });

  t.test('every endpoint: JSON, multipart .npy and Arrow give the service output byte for byte', async (t) => {
    t.ok(classificationCount() === 4, 'the four classification endpoints exist');
    const classification = ['label-issues', 'confident-joint', 'label-quality-scores', 'dataset-health'];
    for (const endpoint of ENDPOINTS.filter((e) => classification.includes(e.name))) {
      const options = { class_names: ['a', 'b', 'c', 'd'] };
      const want = expectedText(endpoint.name, jsonBody(d, options));
      const viaJson = await post(app, endpoint.name, options);
      t.equal(viaJson.statusCode, 200, `${endpoint.name} JSON 200`);
      t.match(String(viaJson.headers['content-type']), /^application\/json/, `${endpoint.name} JSON content type`);
      t.equal(viaJson.body, want, `${endpoint.name} JSON body = service output`);
      t.match(String(viaJson.headers['server-timing']), /compute;dur=\d/, `${endpoint.name} server-timing`);

      const form = npyForm(d, options);
      const viaNpy = await app.inject({ method: 'POST', url: endpoint.path, ...form });
      t.equal(viaNpy.statusCode, 200, `${endpoint.name} multipart 200`);
      t.equal(viaNpy.body, want, `${endpoint.name} multipart body = JSON body`);

      const viaArrow = await app.inject({
        method: 'POST',
        url: `${endpoint.path}?options=${encodeURIComponent(JSON.stringify(options))}`,
        payload: Buffer.from(arrowOf(d)),
        headers: { 'content-type': 'application/vnd.apache.arrow.stream' },
      });
      t.equal(viaArrow.statusCode, 200, `${endpoint.name} arrow 200`);
      t.equal(viaArrow.body, want, `${endpoint.name} arrow body = JSON body`);

      const viaArrowHeader = await app.inject({
        method: 'POST',
        url: endpoint.path,
        payload: Buffer.from(arrowOf(d)),
        headers: { 'content-type': 'application/vnd.apache.arrow.stream', 'x-labelcheck-options': JSON.stringify(options) },
      });
      t.equal(viaArrowHeader.body, want, `${endpoint.name} arrow with x-labelcheck-options header`);
    }
  });

  t.test('multipart variants: float32/float16/big-endian pred_probs, int8/uint16 labels, options as application/json part, no options', async (t) => {
    const f32 = syntheticDataset(120, 3, 5, { float32: true });
    const want = expectedText('label-issues', jsonBody(f32, { limit: 0 }));
    const p = npyParts(f32);
    const asForm = (pp: Uint8Array, labels: Uint8Array, opts?: { json?: boolean; options?: unknown }) =>
      multipart([
        { name: 'labels', filename: 'labels.npy', data: labels },
        { name: 'pred_probs', filename: 'pred_probs.npy', data: pp },
        ...(opts?.options === undefined
          ? []
          : [{ name: 'options', data: JSON.stringify(opts.options), contentType: opts.json ? 'application/json' : undefined }]),
      ]);
    const { writeNpy } = await import('../../src/io/npy.js');
    const cases: [string, Uint8Array, Uint8Array, { json?: boolean; options?: unknown }][] = [
      ['<f4 + <i8, reordered parts', p.pred_probs, p.labels, { options: { limit: 0 } }],
      ['>f4 big endian', writeNpy(f32.predProbs, '>f4', [f32.n, f32.k]), p.labels, { options: { limit: 0 } }],
      ['|i1 labels', p.pred_probs, writeNpy(f32.labels, '|i1', [f32.n]), { options: { limit: 0 } }],
      ['<u2 labels', p.pred_probs, writeNpy(f32.labels, '<u2', [f32.n]), { options: { limit: 0 } }],
      ['options as application/json part', p.pred_probs, p.labels, { json: true, options: { limit: 0 } }],
    ];
    for (const [label, pp, labels, opts] of cases) {
      const res = await app.inject({ method: 'POST', url: '/v1/label-issues', ...asForm(pp, labels, opts) });
      t.equal(res.statusCode, 200, `${label}: 200`);
      t.equal(res.body, want, `${label}: same body as JSON`);
    }
    // float16: values are rounded, so compare with the service on the rounded values.
    const f16 = writeNpy(f32.predProbs, '<f2', [f32.n, f32.k]);
    const res16 = await app.inject({ method: 'POST', url: '/v1/label-quality-scores', ...asForm(f16, p.labels) });
    t.equal(res16.statusCode, 200, 'float16 accepted');
    t.equal(
      res16.body,
      JSON.stringify(executeRequest('label-quality-scores', { kind: 'npy', parts: { pred_probs: f16, labels: p.labels }, options: undefined }).body),
      'float16 body = service output',
    );
    const noOptions = await app.inject({ method: 'POST', url: '/v1/label-issues', ...asForm(p.pred_probs, p.labels) });
    t.equal(noOptions.body, expectedText('label-issues', jsonBody(f32)), 'no options part = defaults');
  });

  t.test('label-issues options', async (t) => {
    const base = JSON.parse((await post(app, 'label-issues')).body);
    t.equal(base.num_examples, d.n);
    t.equal(base.num_classes, d.k);
    t.ok(base.num_label_issues > 10, 'the synthetic noise is found');
    t.ok(base.label_issues.length === Math.min(base.num_label_issues, 1000), 'default limit 1000');
    t.notOk('label_quality_scores' in base, 'no scores by default');

    for (const filter_by of ['prune_by_noise_rate', 'prune_by_class', 'both', 'confident_learning', 'predicted_neq_given', 'low_normalized_margin', 'low_self_confidence']) {
      const res = await post(app, 'label-issues', { filter_by, limit: 0 });
      t.equal(res.statusCode, 200, `filter_by=${filter_by}`);
      t.equal(res.body, expectedText('label-issues', jsonBody(d, { filter_by, limit: 0 })), `filter_by=${filter_by} = service`);
      const body = JSON.parse(res.body);
      t.equal(body.label_issues.length, body.num_label_issues, `filter_by=${filter_by}: limit 0 returns all`);
      if (filter_by === 'predicted_neq_given') {
        let neq = 0;
        for (let i = 0; i < d.n; i++) {
          let arg = 0;
          for (let j = 1; j < d.k; j++) if (d.predProbs[i * d.k + j]! > d.predProbs[i * d.k + arg]!) arg = j;
          if (arg !== d.labels[i]) neq++;
        }
        t.equal(body.num_label_issues, neq, 'predicted_neq_given flags exactly the argmax ≠ label examples');
      }
    }
    for (const rank_by of ['self_confidence', 'normalized_margin', 'confidence_weighted_entropy']) {
      const body = JSON.parse((await post(app, 'label-issues', { rank_by, limit: 0 })).body);
      const q = body.label_issues.map((r: { label_quality: number }) => r.label_quality);
      t.ok(q.every((v: number, i: number) => i === 0 || q[i - 1] <= v), `rank_by=${rank_by}: worst first`);
      t.equal(body.num_label_issues, base.num_label_issues, `rank_by=${rank_by}: same flagged set size`);
      if (rank_by === 'self_confidence') {
        const r0 = body.label_issues[0];
        t.equal(r0.label_quality, d.predProbs[r0.index * d.k + r0.given_label], 'self_confidence = p[label]');
      }
    }
    const half = JSON.parse((await post(app, 'label-issues', { frac_noise: 0.5 })).body);
    t.ok(half.num_label_issues < base.num_label_issues, 'frac_noise 0.5 flags fewer');
    const perClass = JSON.parse((await post(app, 'label-issues', { filter_by: 'prune_by_class', num_to_remove_per_class: [1, 2, 0, 1] })).body);
    t.equal(perClass.num_label_issues, 4, 'num_to_remove_per_class sums to the flagged count');
    const minPer = await post(app, 'label-issues', { min_examples_per_class: 50, limit: 0 });
    t.equal(minPer.body, expectedText('label-issues', jsonBody(d, { min_examples_per_class: 50, limit: 0 })), 'min_examples_per_class = service');
    t.ok(JSON.parse(minPer.body).num_label_issues <= base.num_label_issues, 'min_examples_per_class keeps more per class');
    const limited = JSON.parse((await post(app, 'label-issues', { limit: 5 })).body);
    t.equal(limited.label_issues.length, 5, 'limit 5');
    t.same(limited.label_issues, base.label_issues.slice(0, 5), 'limit keeps the worst first');
    const adjusted = JSON.parse((await post(app, 'label-issues', { adjust_pred_probs: true, limit: 0 })).body);
    t.same(
      adjusted.label_issues.map((r: { index: number }) => r.index).sort((a: number, b: number) => a - b),
      JSON.parse((await post(app, 'label-issues', { limit: 0 })).body).label_issues.map((r: { index: number }) => r.index).sort((a: number, b: number) => a - b),
      'adjust_pred_probs does not change the flagged set',
    );
    const scores = JSON.parse((await post(app, 'label-issues', { include_scores: true })).body);
    t.equal(scores.label_quality_scores.length, d.n, 'include_scores: N scores');
    t.equal(scores.label_quality_scores[3], d.predProbs[3 * d.k + d.labels[3]!], 'include_scores: self_confidence of row 3');
    const named = JSON.parse((await post(app, 'label-issues', { class_names: ['w', 'x', 'y', 'z'], limit: 1 })).body);
    const r0 = named.label_issues[0];
    t.equal(r0.given_label_name, ['w', 'x', 'y', 'z'][r0.given_label], 'class_names: given_label_name');
    t.equal(r0.suggested_label_name, ['w', 'x', 'y', 'z'][r0.suggested_label], 'class_names: suggested_label_name');
  });

  t.test('confident-joint options', async (t) => {
    for (const calibrate of [true, false]) {
      const res = await post(app, 'confident-joint', { calibrate });
      t.equal(res.statusCode, 200);
      t.equal(res.body, expectedText('confident-joint', jsonBody(d, { calibrate })), `calibrate=${calibrate} = service`);
      const cj: number[][] = JSON.parse(res.body).confident_joint;
      const total = cj.flat().reduce((a, b) => a + b, 0);
      if (calibrate) t.equal(total, d.n, 'calibrated confident joint sums to N');
      else t.ok(total <= d.n && total > 0, 'uncalibrated confident joint counts the confident examples');
      t.equal(JSON.parse(res.body).thresholds.length, d.k, 'K thresholds');
    }
  });

  t.test('label-quality-scores options', async (t) => {
    const sc = JSON.parse((await post(app, 'label-quality-scores')).body);
    t.equal(sc.label_quality_scores.length, d.n);
    t.same(
      sc.label_quality_scores,
      Array.from(d.labels, (l, i) => d.predProbs[i * d.k + l]),
      'self_confidence (default) is p[i][label_i] exactly',
    );
    for (const method of ['normalized_margin', 'confidence_weighted_entropy']) {
      const res = await post(app, 'label-quality-scores', { method });
      t.equal(res.body, expectedText('label-quality-scores', jsonBody(d, { method })), `method=${method} = service`);
      t.notSame(JSON.parse(res.body).label_quality_scores, sc.label_quality_scores, `method=${method} differs from self_confidence`);
    }
    const adj = await post(app, 'label-quality-scores', { adjust_pred_probs: true });
    t.equal(adj.body, expectedText('label-quality-scores', jsonBody(d, { adjust_pred_probs: true })), 'adjust_pred_probs = service');
    t.notSame(JSON.parse(adj.body).label_quality_scores, sc.label_quality_scores, 'adjust_pred_probs changes the scores');
    const rejected = await post(app, 'label-quality-scores', { method: 'confidence_weighted_entropy', adjust_pred_probs: true });
    expectProblem(t, rejected, 400, /adjust_pred_probs|method/, 'cwe + adjust (cleanlab rejects it)');
  });

  t.test('dataset-health options', async (t) => {
    for (const asymmetric of [false, true]) {
      const res = await post(app, 'dataset-health', { asymmetric, class_names: ['a', 'b', 'c', 'd'] });
      t.equal(res.statusCode, 200);
      t.equal(res.body, expectedText('dataset-health', jsonBody(d, { asymmetric, class_names: ['a', 'b', 'c', 'd'] })), `asymmetric=${asymmetric}`);
      const body = JSON.parse(res.body);
      t.equal(body.classes.length, d.k, 'one record per class');
      t.ok(body.classes.every((c: { class: number; class_name: string }) => c.class_name === 'abcd'[c.class]), 'class names');
      if (asymmetric) t.ok(body.overlapping_classes.some((o: { class_a: number; class_b: number }) => o.class_a > o.class_b), 'ordered pairs');
    }
  });
});

t.test('parity with cleanlab 2.9 fixtures and with the CLI', async (t) => {
  const app = await startApp(t, { workers: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'labelcheck-api-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of ['k2_balanced_n200', 'k10_n2000']) {
    const fx = loadFixture('parity', name);
    const body = { labels: fx.labels, pred_probs: fx.pred_probs };
    let checked = 0;
    for (const entry of fx.expected.find_label_issues as Record<string, any>[]) {
      const kw = entry.kwargs as Record<string, unknown>;
      if (entry.raises || Object.keys(kw).some((k) => !['filter_by', 'frac_noise', 'return_indices_ranked_by'].includes(k))) continue;
      const options: Record<string, unknown> = { limit: 0 };
      if (kw.filter_by) options.filter_by = kw.filter_by;
      if (kw.frac_noise !== undefined) options.frac_noise = kw.frac_noise;
      if (kw.return_indices_ranked_by) options.rank_by = kw.return_indices_ranked_by;
      const res = await postJson(app, '/v1/label-issues', { ...body, ...options });
      t.equal(res.statusCode, 200, `${name} ${JSON.stringify(kw)}: 200`);
      const got = JSON.parse(res.body);
      const indices = got.label_issues.map((r: { index: number }) => r.index);
      const want = entry.tie_sensitive ? entry.result_stable_sort : entry.result;
      if (entry.output === 'indices') {
        t.same(indices, want, `${name} ${JSON.stringify(kw)}: cleanlab's ranked indices`);
      } else {
        const flagged = (want as boolean[]).flatMap((m, i) => (m ? [i] : []));
        t.same([...indices].sort((a: number, b: number) => a - b), flagged, `${name} ${JSON.stringify(kw)}: cleanlab's mask`);
      }
      t.equal(got.num_label_issues, entry.num_issues, `${name} ${JSON.stringify(kw)}: count`);
      checked++;
    }
    t.ok(checked >= 7, `${name}: ${checked} find_label_issues entries checked over HTTP`);

    // The CLI prints exactly the HTTP body.
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(body));
    for (const endpoint of name === 'k2_balanced_n200' ? ['label-issues', 'confident-joint', 'label-quality-scores', 'dataset-health'] : ['label-issues']) {
      const http = await postJson(app, `/v1/${endpoint}`, body);
      const cli = await execFileP(process.execPath, ['--import', 'tsx', 'src/cli.ts', endpoint, '--input', file], {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      });
      t.equal(http.statusCode, 200);
      t.equal(cli.stdout.trimEnd(), http.body, `${name} ${endpoint}: CLI stdout = HTTP body`);
    }
  }
});

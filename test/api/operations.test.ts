/**
 * Operations and cross-cutting concerns through fastify.inject: /healthz, /readyz (pool
 * state, tfjs backend name), /metrics content, /openapi.json (and the committed file is
 * fresh), /docs, request ids, logs without array data, API key auth, and the problem
 * responses for 404/405/413/415.
 */
import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import t from 'tap';
import pino from 'pino';
import { buildApp } from '../../src/api/app.js';
import { documentedRootPlugins, documentedV1Plugins, openApiText } from '../../src/openapi-document.js';
import { getTfBackend } from '../../src/backend.js';
import { testConfig } from '../../src/config.js';
import { ComputePool } from '../../src/compute/pool.js';
import { ENDPOINTS } from '../../src/service/index.js';
import { encodeArrowClassification } from '../../src/io/arrow.js';
import { expectProblem, jsonBody, multipart, npyForm, npyParts, startApp, syntheticDataset } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const small = syntheticDataset(300, 4, 2);

t.test('health, readiness, request ids, 404/405, metrics, docs', async (t) => {
  const app = await startApp(t);

  const h = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(h.statusCode, 200);
  t.same(h.json(), { status: 'ok' });
  t.match(String(h.headers['x-request-id']), UUID, 'a generated request id is echoed');

  const r = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(r.statusCode, 200, 'ready once the pool is up');
  const backend = await getTfBackend();
  const ready = r.json();
  t.equal(ready.status, 'ready');
  t.equal(ready.tfjs_backend, backend.backend, 'readyz names the active tfjs backend');
  t.equal(ready.tfjs_package, backend.package);
  t.ok(['cpu', 'tensorflow'].includes(ready.tfjs_backend), `backend is cpu or tensorflow (${ready.tfjs_backend})`);
  let nativeInstalled = true;
  try {
    await import('@tensorflow/tfjs-node' as string);
  } catch {
    nativeInstalled = false;
  }
  t.equal(ready.tfjs_backend, nativeInstalled ? 'tensorflow' : 'cpu', 'tfjs-node when installed, else cpu');
  t.equal(ready.workers, 1);

  // Request ids: a safe incoming id is kept, an unsafe one replaced; problems carry it.
  const given = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'client-42.a:b_c' } });
  t.equal(given.headers['x-request-id'], 'client-42.a:b_c', 'incoming x-request-id echoed');
  const unsafe = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\twith "quotes"' } });
  t.match(String(unsafe.headers['x-request-id']), UUID, 'unsafe x-request-id replaced by a UUID');
  const nf = await app.inject({ method: 'GET', url: '/nope?x=1', headers: { 'x-request-id': 'trace-404' } });
  const nfBody = expectProblem(t, nf, 404, undefined, '404');
  t.equal(nf.headers['x-request-id'], 'trace-404', 'id echoed on 404');
  t.equal(nfBody.request_id, 'trace-404', 'problem carries the request id');
  t.equal(nfBody.instance, '/nope', 'problem instance is the path');

  // 405 for a known path with another method, with Allow.
  const m1 = await app.inject({ method: 'GET', url: '/v1/label-issues' });
  expectProblem(t, m1, 405, undefined, 'GET on a POST route');
  t.equal(m1.headers.allow, 'POST');
  const m2 = await app.inject({ method: 'DELETE', url: '/healthz' });
  expectProblem(t, m2, 405, undefined, 'DELETE /healthz');
  t.equal(m2.headers.allow, 'GET, HEAD');
  const m3 = await app.inject({ method: 'PUT', url: '/v1/confident-joint', payload: {} });
  expectProblem(t, m3, 405, undefined, 'PUT on a POST route');

  // Metrics after one computation.
  const res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: jsonBody(small) });
  t.equal(res.statusCode, 200);
  const met = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(met.statusCode, 200);
  t.match(String(met.headers['content-type']), /^text\/plain/);
  const text = met.body;
  t.match(text, /labelcheck_computation_duration_seconds_count\{endpoint="label-issues"\} 1\n/, 'computation duration by endpoint');
  t.match(text, /labelcheck_request_examples_bucket\{le="100",endpoint="label-issues"\} 0\n/, 'N histogram: 300 > 100');
  t.match(text, /labelcheck_request_examples_bucket\{le="1000",endpoint="label-issues"\} 1\n/, 'N histogram: 300 <= 1000');
  t.match(text, /labelcheck_request_classes_bucket\{le="3",endpoint="label-issues"\} 0\n/, 'K histogram: 4 > 3');
  t.match(text, /labelcheck_request_classes_bucket\{le="5",endpoint="label-issues"\} 1\n/, 'K histogram: 4 <= 5');
  t.match(text, /labelcheck_pool_queue_depth 0\n/, 'pool queue depth');
  t.match(text, /labelcheck_pool_workers 1\n/, 'pool size');
  t.match(
    text,
    /labelcheck_http_request_duration_seconds_count\{method="POST",route="\/v1\/label-issues",status_code="200"\} 1\n/,
    'request duration by route and status',
  );
  t.match(text, /labelcheck_http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} 1\n/, 'unmatched routes share one label');
  t.match(text, /labelcheck_process_resident_memory_bytes \d+/, 'process metrics');

  // Docs.
  const docs = await app.inject({ method: 'GET', url: '/docs/' });
  t.equal(docs.statusCode, 200, '/docs/ serves Swagger UI');
  t.match(String(docs.headers['content-type']), /text\/html/);
  t.match(docs.body, /swagger/i);
  const docsRedirect = await app.inject({ method: 'GET', url: '/docs' });
  t.ok([200, 302].includes(docsRedirect.statusCode), '/docs answers');
});

t.test('openapi.json is served, complete, and the committed file is fresh', async (t) => {
  // The jobs routes as `labelcheck serve` registers them (documented without opening a store).
  const app = buildApp(testConfig(), { startPool: false, logger: false, v1Plugins: documentedV1Plugins, rootPlugins: documentedRootPlugins });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  const doc = res.json();
  t.equal(doc.openapi, '3.1.0');
  const committedText = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
  t.same(doc, JSON.parse(committedText), 'served document = openapi/openapi.json');
  t.equal(await openApiText(), committedText, 'openapi/openapi.json is up to date (run `npm run openapi`)');
  for (const e of ENDPOINTS) {
    const op = doc.paths[e.path]?.post;
    t.ok(op, `${e.path} documented`);
    if (!op) continue;
    t.same(
      Object.keys(op.requestBody.content).sort(),
      ['application/json', 'application/vnd.apache.arrow.file', 'application/vnd.apache.arrow.stream', 'multipart/form-data'],
      `${e.path}: all content types`,
    );
    const props = Object.keys(op.requestBody.content['application/json'].schema.properties ?? {});
    t.ok(props.includes('pred_probs') || props.includes('labels') || props.includes('features'), `${e.path}: JSON body from the zod schema`);
    for (const part of e.fileParts) {
      t.equal(op.requestBody.content['multipart/form-data'].schema.properties[part].format, 'binary', `${e.path}: .npy part ${part}`);
    }
    t.equal(op.responses['400'].content['application/problem+json'].schema.$ref, '#/components/schemas/Problem');
    t.ok(op.responses['200'].content['application/json'].schema.properties, `${e.path}: response schema`);
  }
  for (const p of ['/healthz', '/readyz', '/metrics']) t.ok(doc.paths[p]?.get, `${p} documented`);
  t.ok(doc.components.schemas.Problem, 'Problem component');
  t.equal(doc.components.securitySchemes.bearerAuth.scheme, 'bearer');
});

t.test('readyz is 503 until the pool is up, and names a failing backend', async (t) => {
  const pool = new ComputePool({ workers: 1, maxQueue: 0 });
  const app = buildApp(testConfig(), {
    pool,
    startPool: false,
    logger: false,
    backend: async () => ({ backend: 'tensorflow', package: '@tensorflow/tfjs-node' }),
  });
  t.teardown(async () => {
    await app.close();
    await pool.close();
  });
  const before = await app.inject({ method: 'GET', url: '/readyz' });
  const p = expectProblem(t, before, 503, undefined, 'not started');
  t.equal(p.pool_state, 'starting');
  t.ok(before.headers['retry-after'], 'Retry-After');
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'alive while not ready');
  await pool.start();
  const after = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(after.statusCode, 200);
  t.equal(after.json().tfjs_backend, 'tensorflow', 'the backend reported by the loader');
  t.equal(after.json().tfjs_package, '@tensorflow/tfjs-node');

  const broken = buildApp(testConfig(), {
    pool,
    startPool: false,
    logger: false,
    backend: async () => {
      throw new Error('libtensorflow.so: cannot open shared object file');
    },
  });
  t.teardown(() => broken.close());
  const res = await broken.inject({ method: 'GET', url: '/readyz' });
  const body = expectProblem(t, res, 503, undefined, 'backend failed');
  t.match(body.detail, /tfjs backend failed to load: libtensorflow/);
});

t.test('API key: /v1 requires the bearer key; health, metrics and docs stay open', async (t) => {
  const key = 'test-key-0123456789';
  const app = await startApp(t, { apiKey: key });
  const url = '/v1/label-quality-scores';
  const payload = jsonBody(small);
  const none = await app.inject({ method: 'POST', url, payload });
  expectProblem(t, none, 401, undefined, 'no key');
  t.match(String(none.headers['www-authenticate']), /^Bearer/);
  expectProblem(t, await app.inject({ method: 'POST', url, payload, headers: { authorization: 'Bearer wrong' } }), 401, undefined, 'wrong key');
  expectProblem(t, await app.inject({ method: 'POST', url, payload, headers: { authorization: key } }), 401, undefined, 'no scheme');
  expectProblem(t, await app.inject({ method: 'POST', url, payload, headers: { authorization: `Basic ${key}` } }), 401, undefined, 'basic');
  const ok = await app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${key}` } });
  t.equal(ok.statusCode, 200, 'right key');
  const lower = await app.inject({ method: 'POST', url, payload, headers: { authorization: `bearer ${key}` } });
  t.equal(lower.statusCode, 200, 'scheme is case-insensitive');
  const form = npyForm(small);
  const unauthForm = await app.inject({ method: 'POST', url, ...form });
  expectProblem(t, unauthForm, 401, undefined, 'multipart without key');
  for (const open of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs/']) {
    t.equal((await app.inject({ method: 'GET', url: open })).statusCode, 200, `${open} open without key`);
  }
});

t.test('413 over the body limit, 415 for other content types', async (t) => {
  const app = await startApp(t, { bodyLimitBytes: 64 * 1024 });
  const big = syntheticDataset(4000, 4, 9); // ~100 KB of JSON, ~128 KB of .npy
  const json = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: jsonBody(big) });
  const p1 = expectProblem(t, json, 413, 'body', 'JSON over the limit');
  t.match(p1.detail, /0\.06 MiB|64/);
  const form = npyForm(big);
  expectProblem(t, await app.inject({ method: 'POST', url: '/v1/label-issues', ...form }), 413, 'pred_probs', 'npy part over the limit');
  const arrow = encodeArrowClassification(big.labels, { data: big.predProbs, n: big.n, k: big.k });
  expectProblem(
    t,
    await app.inject({ method: 'POST', url: '/v1/label-issues', payload: Buffer.from(arrow), headers: { 'content-type': 'application/vnd.apache.arrow.stream' } }),
    413,
    'body',
    'arrow over the limit',
  );
  // Under the limit still works.
  const ok = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: jsonBody(small) });
  t.equal(ok.statusCode, 200, 'a body under the limit is fine');

  for (const [ct, payload] of [
    ['text/plain', 'labels=1'],
    ['application/xml', '<labels/>'],
    ['application/x-www-form-urlencoded', 'labels=1&pred_probs=2'],
    ['application/octet-stream', Buffer.from(npyParts(small).pred_probs)],
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload, headers: { 'content-type': ct } });
    const body = expectProblem(t, res, 415, 'content-type', ct);
    t.match(body.detail, new RegExp(ct.replace(/[/+.]/g, '\\$&')), `${ct}: detail names the type`);
  }
  const none = await app.inject({ method: 'POST', url: '/v1/label-issues' });
  expectProblem(t, none, 415, undefined, 'no content type, no body');
});

t.test('logs carry request ids and never array data', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const app = await startApp(t, {}, { logger });
  const d = syntheticDataset(500, 3, 4);
  const ok = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: jsonBody(d), headers: { 'x-request-id': 'log-ok-1', authorization: 'Bearer secret-token-xyz' } });
  t.equal(ok.statusCode, 200);
  const bad = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: jsonBody(d, { filter_by: 'nope' }), headers: { 'x-request-id': 'log-bad-1' } });
  t.equal(bad.statusCode, 400);
  const form = multipart([{ name: 'pred_probs', filename: 'x.npy', data: npyParts(d).pred_probs }, { name: 'labels', filename: 'y.npy', data: npyParts(d).labels }]);
  t.equal((await app.inject({ method: 'POST', url: '/v1/label-issues', ...form })).statusCode, 200);
  await new Promise((r) => setImmediate(r));
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  t.ok(records.some((r) => r.reqId === 'log-ok-1' && r.msg === 'request completed'), 'completion logged with the request id');
  t.ok(
    records.some((r) => r.reqId === 'log-bad-1' && r.msg === 'request rejected' && JSON.stringify(r.fields) === '["filter_by"]'),
    'rejection logged with the request id and the field',
  );
  const all = lines.join('\n');
  t.ok(lines.every((l) => l.length < 2000), 'no long log lines');
  const sample = String(d.predProbs[17]).slice(0, 10);
  t.notOk(all.includes(sample), 'no probability values in logs');
  t.notOk(all.includes('secret-token-xyz'), 'no credentials in logs');
});

t.test('chunked bodies without Content-Length are collected and limited the same way', async (t) => {
  const app = await startApp(t, { bodyLimitBytes: 256 * 1024 });
  const text = JSON.stringify(jsonBody(small, { limit: 3 }));
  const chunks = text.match(/[\s\S]{1,1000}/g)!;
  const res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: Readable.from(chunks), headers: { 'content-type': 'application/json' } });
  t.equal(res.statusCode, 200);
  const viaLength = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: text, headers: { 'content-type': 'application/json' } });
  t.equal(res.body, viaLength.body, 'same answer with and without Content-Length');
  const big = JSON.stringify(jsonBody(syntheticDataset(10_000, 4, 1)));
  const over = await app.inject({
    method: 'POST',
    url: '/v1/label-issues',
    payload: Readable.from(big.match(/[\s\S]{1,65536}/g)!),
    headers: { 'content-type': 'application/json' },
  });
  expectProblem(t, over, 413, 'body', 'chunked body over the limit');
});

t.test('under-pressure sheds /v1 load with 503 + Retry-After while health stays up', async (t) => {
  // A 1 MiB RSS ceiling is always exceeded: under-pressure reports pressure after its first sample.
  const app = await startApp(t, { maxRssMb: 1, retryAfterSeconds: 9 });
  await new Promise((r) => setTimeout(r, 1300));
  const res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: jsonBody(small) });
  const body = expectProblem(t, res, 503, undefined, 'under pressure');
  t.equal(res.headers['retry-after'], '9', 'Retry-After');
  t.equal(body.type, 'urn:labelcheck:problem:overloaded');
  t.match(body.detail, /under pressure/);
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'liveness is not shed');
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200, 'metrics are not shed');
  const met = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  t.match(met, /labelcheck_requests_rejected_total\{reason="under_pressure"\} 1/, 'counted');
});

/**
 * Issue 16: every request's work is bounded and no input kills the process. Each limit
 * answers a 4xx naming its setting; corrupt .npy / Arrow inputs and hostile JSON are 400s.
 */
import t from 'tap';
import { buildApp } from '../../src/api/app.js';
import { loadConfig, testConfig } from '../../src/config.js';
import { encodeArrowClassification } from '../../src/io/arrow.js';
import { checkArrowIpc } from '../../src/io/arrow-check.js';
import { parseNpy, readNpyHeader, writeNpy } from '../../src/io/npy.js';
import { expectProblem, multipart, startApp, syntheticDataset, jsonBody } from '../api/helpers.js';
import { mulberry32 } from '../../seeds/synthetic.js';

const d = syntheticDataset(60, 3, 7);

function npyWithHeaderLength(len: number): Uint8Array {
  const b = new Uint8Array(64);
  b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
  new DataView(b.buffer).setUint32(8, len, true);
  return b;
}

t.test('a .npy header length >= 2^31 is a 400, not an abort', async (t) => {
  t.throws(() => readNpyHeader(npyWithHeaderLength(0x80000000), 'pred_probs'), /declares a 2,147,483,660-byte header/);
  t.throws(() => parseNpy(npyWithHeaderLength(0xffffffff), 'labels'), /largest accepted/);
  const app = await startApp(t);
  const form = multipart([
    { name: 'pred_probs', filename: 'p.npy', data: npyWithHeaderLength(0x80000000) },
    { name: 'labels', filename: 'l.npy', data: writeNpy(d.labels, '<i8', [d.n]) },
  ]);
  const res = await app.inject({ method: 'POST', url: '/v1/label-issues', ...form });
  expectProblem(t, res, 400, 'pred_probs');
});

t.test('Arrow IPC metadata is bounds-checked before decoding', async (t) => {
  const ok = encodeArrowClassification(d.labels, { data: d.predProbs, n: d.n, k: d.k });
  const file = encodeArrowClassification(d.labels, { data: d.predProbs, n: d.n, k: d.k }, { format: 'file', batchSize: 17 });
  t.doesNotThrow(() => checkArrowIpc(ok));
  t.doesNotThrow(() => checkArrowIpc(file));
  // the schema's field vector length (the mutation that allocated without bound)
  const bad = Uint8Array.from(ok);
  const dv = new DataView(bad.buffer);
  let hits = 0;
  for (let p = 8; p < 240; p += 4) {
    if (dv.getUint32(p, true) === 2) {
      const m = Uint8Array.from(ok);
      new DataView(m.buffer).setUint32(p, 0x7f7f7f7f, true);
      try {
        checkArrowIpc(m);
      } catch {
        hits++;
      }
    }
  }
  t.ok(hits >= 1, 'a vector length past the metadata is rejected');
  // seeded single-byte mutations: each is rejected or decodes within the input's size
  const rand = mulberry32(16);
  const app = await startApp(t);
  for (let i = 0; i < 60; i++) {
    const m = Uint8Array.from(ok);
    m[Math.floor(rand() * 300)] = Math.floor(rand() * 256);
    const res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: Buffer.from(m), headers: { 'content-type': 'application/vnd.apache.arrow.stream' } });
    t.ok(res.statusCode === 200 || res.statusCode === 400, `mutation ${i}: ${res.statusCode}`);
  }
});

t.test('limits answer 400 naming the setting', async (t) => {
  const app = await startApp(t, {
    limits: { ...testConfig().limits, maxClasses: 50, maxCells: 5000, maxClassNameLength: 20, maxJsonDepth: 16, maxIter: 100, maxResponseBytes: 600 },
  });
  const wide = { labels: [0, 1], pred_probs: [Array.from({ length: 60 }, () => 1 / 60), Array.from({ length: 60 }, () => 1 / 60)] };
  let res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: wide });
  t.match(expectProblem(t, res, 400, 'pred_probs').detail, /MAX_CLASSES/);

  const big = syntheticDataset(2000, 3, 1);
  res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: jsonBody(big) });
  t.match(expectProblem(t, res, 400, 'pred_probs').detail, /MAX_CELLS/);

  res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: jsonBody(d, { class_names: ['a', 'b', 'x'.repeat(21)] }) });
  t.match(expectProblem(t, res, 400, 'class_names').detail, /MAX_CLASS_NAME_LENGTH/);

  const deep = '{"labels":[0],"pred_probs":[[1]],"filter_by":' + '['.repeat(100) + ']'.repeat(100) + '}';
  res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: deep, headers: { 'content-type': 'application/json' } });
  t.match(expectProblem(t, res, 400, 'body').detail, /MAX_JSON_DEPTH/);

  const deepOptions = multipart([
    { name: 'pred_probs', filename: 'p.npy', data: writeNpy(d.predProbs, '<f8', [d.n, d.k]) },
    { name: 'labels', filename: 'l.npy', data: writeNpy(d.labels, '<i8', [d.n]) },
    { name: 'options', data: '['.repeat(100_000) + ']'.repeat(100_000) },
  ]);
  res = await app.inject({ method: 'POST', url: '/v1/label-issues', ...deepOptions });
  t.match(expectProblem(t, res, 400, 'options').detail, /MAX_JSON_DEPTH/);

  const annotators = { labels_multiannotator: [[0, 1], [1, 1], [0, 0]], method: 'dawid_skene', max_iter: 101 };
  res = await app.inject({ method: 'POST', url: '/v1/multiannotator/consensus', payload: annotators });
  t.match(expectProblem(t, res, 400, 'max_iter').detail, /MAX_ITER/);
  const huge = { labels_multiannotator: [[0, 1_000_000], [1, 1]] };
  res = await app.inject({ method: 'POST', url: '/v1/multiannotator/consensus', payload: huge });
  t.match(expectProblem(t, res, 400, 'labels_multiannotator').detail, /MAX_CLASSES/);

  res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: jsonBody(d) });
  t.match(expectProblem(t, res, 400, 'body').detail, /MAX_RESPONSE_MB/);
});

t.test('__proto__ in a synchronous body is a 400, like on the jobs path', async (t) => {
  const app = await startApp(t);
  const text = JSON.stringify(jsonBody(d)).replace(/^\{/, '{"__proto__":{"limit":1},');
  const res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: text, headers: { 'content-type': 'application/json' } });
  t.match(expectProblem(t, res, 400, 'body').detail, /__proto__/);
  const escaped = JSON.stringify(jsonBody(d)).replace(/^\{/, '{"\\u005f_proto__":{"limit":1},');
  const res2 = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: escaped, headers: { 'content-type': 'application/json' } });
  expectProblem(t, res2, 400, 'body');
  const fine = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: jsonBody(d, { class_names: ['__proto__', 'b', 'c'] }) });
  t.equal(fine.statusCode, 200, 'a "__proto__" string value is fine');
});

t.test('a computation over COMPUTE_TIMEOUT_MS is stopped and its worker replaced', async (t) => {
  const app = await startApp(t, { limits: { ...testConfig().limits, computeTimeoutMs: 1 } });
  const big = syntheticDataset(20_000, 10, 3);
  const res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: jsonBody(big) });
  t.match(expectProblem(t, res, 422).detail, /COMPUTE_TIMEOUT_MS/);
  t.equal(app.compute.threads, 1, 'the pool keeps its size');
});

t.test('limits and timeouts are settings validated at start-up', async (t) => {
  const c = loadConfig({ MAX_CLASSES: '20', MAX_RESPONSE_MB: '2', HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '0' });
  t.equal(c.limits.maxClasses, 20);
  t.equal(c.limits.maxResponseBytes, 2 * 1024 * 1024);
  t.throws(() => loadConfig({ MAX_CLASSES: '1' }), /MAX_CLASSES must be >= 2/);
  t.throws(() => loadConfig({ MAX_JSON_DEPTH: 'deep' }), /MAX_JSON_DEPTH must be a number/);
  const app = buildApp(c, { logger: false, startPool: false });
  t.teardown(() => app.close());
  t.equal(app.server.headersTimeout, 1000, 'headers must arrive within HEADERS_TIMEOUT_MS even when REQUEST_TIMEOUT_MS is 0');
  t.equal(app.server.requestTimeout, 0);
  t.ok(app.server.keepAliveTimeout > 0);
});

t.test('an upload part announcing more than JOB_UPLOAD_PART_MAX_MB gets 413 at once', async (t) => {
  const { createJobsPlugin } = await import('../../src/jobs/plugin.js');
  const { openStoreEnv } = await import('../jobs/helpers.js');
  const env = await openStoreEnv('sqlite', { maxPartBytes: 1000 });
  const app = buildApp(testConfig({ workers: 1 }), {
    logger: false,
    startPool: false,
    v1Plugins: [createJobsPlugin({ config: env.cfg, store: env.store, runner: 'none' })],
  });
  t.teardown(async () => {
    await app.close();
    await env.cleanup();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const up = (await app.inject({ method: 'POST', url: '/v1/uploads', payload: {} })).json();
  // Only the headers are sent: the answer must come without the body.
  const net = await import('node:net');
  const answer = await new Promise<string>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(`PUT /v1/uploads/${up.id}/parts/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 2000000000\r\n\r\n`);
    });
    let got = '';
    s.on('data', (c) => {
      got += c.toString();
      if (got.includes('\r\n\r\n')) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
    setTimeout(() => reject(new Error('no early answer')), 10_000).unref();
  });
  t.match(answer, /^HTTP\/1\.1 413/);
});

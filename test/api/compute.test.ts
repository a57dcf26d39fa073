/**
 * The worker pool: zero-copy transfer of request bytes, InputError round trip,
 * admission control (PoolBusyError past workers + MAX_QUEUE), shutdown, and the HTTP
 * mapping of unexpected worker errors (500 problem, nothing leaked, process up).
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { InputError } from '../../src/core/errors.js';
import { ComputePool, PoolBusyError, PoolUnavailableError, markTransferable, prepareTransfer } from '../../src/compute/pool.js';
import { buildApp } from '../../src/api/app.js';
import { testConfig } from '../../src/config.js';
import { expectProblem, jsonBody, syntheticDataset } from './helpers.js';

const stubFile = fileURLToPath(new URL('./stub-worker.ts', import.meta.url));
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

t.test('prepareTransfer moves owned buffers and copies shared ones', async (t) => {
  const owned = enc({ a: 1 });
  const r1 = prepareTransfer({ kind: 'json-bytes', bytes: owned });
  t.equal(r1.transferList.length, 1);
  t.equal(r1.transferList[0], owned.buffer, 'a whole buffer is moved as is');
  const pooled = Buffer.from('{"small": true}'); // from Node's shared pool
  t.ok(pooled.buffer.byteLength > pooled.byteLength, 'test precondition: a pooled view');
  const r2 = prepareTransfer({ kind: 'json-bytes', bytes: pooled });
  t.not(r2.transferList[0], pooled.buffer, 'a pooled view is copied, never detached');
  t.same(Buffer.from((r2.payload as { bytes: Uint8Array }).bytes), pooled, 'same bytes');
  const big = new ArrayBuffer(1024);
  markTransferable(big);
  const view = new Uint8Array(big, 0, 100);
  const r3 = prepareTransfer({ kind: 'arrow', bytes: view, options: undefined });
  t.equal(r3.transferList[0], big, 'a marked buffer moves even behind a partial view');
  const shared = new Uint8Array(64);
  const r4 = prepareTransfer({ kind: 'npy', parts: { a: shared, b: shared }, options: {} });
  t.equal(r4.transferList.length, 2);
  t.not(r4.transferList[0], r4.transferList[1], 'one buffer is never listed twice');
  t.same(prepareTransfer({ kind: 'json', body: { x: 1 } }).transferList, [], 'objects are cloned');
});

t.test('real pool: results, InputError round trip, transfer detaches the input', async (t) => {
  const pool = new ComputePool({ workers: 1, maxQueue: 2 });
  t.teardown(() => pool.close());
  t.equal(pool.state, 'starting');
  await pool.start();
  t.equal(pool.state, 'ready');
  t.equal(pool.threads, 1);
  const d = syntheticDataset(200, 3, 3);
  const bytes = enc(jsonBody(d));
  const out = await pool.execute('label-quality-scores', { kind: 'json-bytes', bytes });
  t.equal(bytes.buffer.byteLength, 0, 'the request bytes were moved to the worker (detached here)');
  t.ok(Buffer.isBuffer(out.json));
  t.equal(JSON.parse(out.json!.toString()).label_quality_scores.length, 200);
  t.equal(out.n, 200);
  t.equal(out.k, 3);
  t.ok(out.computeMs > 0);
  const obj = await pool.execute('label-quality-scores', { kind: 'json', body: jsonBody(d) }, 'object');
  t.equal((obj.body as { label_quality_scores: number[] }).label_quality_scores.length, 200, "output 'object' for jobs");
  const err = await pool.execute('label-issues', { kind: 'json', body: { labels: [0, 1], pred_probs: [[0.5, 0.5], [0.2, 0.2]] } }).catch((e) => e);
  t.ok(err instanceof InputError, 'InputError crosses the thread boundary as InputError');
  t.equal(err.field, 'pred_probs');
  t.equal(err.issues[0].path, 'pred_probs[1]');
  const unknown = await pool.execute('no-such-endpoint', { kind: 'json', body: {} }).catch((e) => e);
  t.ok(unknown instanceof InputError);
  t.equal(unknown.field, 'endpoint');
  t.equal(pool.inFlight, 0);
});

t.test('admission control and shutdown (stub worker)', async (t) => {
  const pool = new ComputePool({ workers: 1, maxQueue: 1, filename: stubFile });
  await pool.start();
  const sleepers = [pool.execute('x', { kind: 'json-bytes', bytes: enc({ sleep_ms: 400 }) }), pool.execute('x', { kind: 'json-bytes', bytes: enc({ sleep_ms: 10 }) })];
  t.equal(pool.inFlight, 2);
  t.equal(pool.queueDepth, 1);
  t.ok(pool.saturated);
  const busy = await pool.execute('x', { kind: 'json-bytes', bytes: enc({}) }).catch((e) => e);
  t.ok(busy instanceof PoolBusyError, 'refused at once past capacity');
  t.equal(busy.statusCode, 503);
  const results = await Promise.all(sleepers);
  t.same(results.map((r) => JSON.parse(r.json!.toString()).echo), [{ sleep_ms: 400 }, { sleep_ms: 10 }], 'admitted tasks complete in order');
  t.ok(results[1]!.waitMs >= 300, `the queued task waited (${results[1]!.waitMs.toFixed(0)} ms)`);
  t.notOk(pool.saturated);
  const crash = await pool.execute('x', { kind: 'json-bytes', bytes: enc({ crash: true }) }).catch((e) => e);
  t.ok(crash instanceof Error && !(crash instanceof InputError), 'an unexpected worker error is not an InputError');
  t.match(crash.message, /boom/);
  const after = await pool.execute('x', { kind: 'json-bytes', bytes: enc({ ok: 1 }) });
  t.same(JSON.parse(after.json!.toString()).echo, { ok: 1 }, 'the pool survives a worker error');
  await pool.close();
  t.equal(pool.state, 'closed');
  const closed = await pool.execute('x', { kind: 'json-bytes', bytes: enc({}) }).catch((e) => e);
  t.ok(closed instanceof PoolUnavailableError, 'closed pool refuses work');
});

t.test('HTTP: an unexpected worker error is a 500 problem without internals; the service stays up', async (t) => {
  const pool = new ComputePool({ workers: 1, maxQueue: 4, filename: stubFile });
  // Not a load-shedding test: the event-loop-delay 503 is off, so that a module load still
  // running on tsx's loader thread (the previous subtest's real worker) cannot turn the
  // 500 under test into a 503.
  const app = buildApp({ ...testConfig(), maxEventLoopDelayMs: 0 }, { pool, logger: false });
  t.teardown(async () => {
    await app.close();
    await pool.close();
  });
  await app.ready();
  await pool.start();
  const res = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: { crash: true }, headers: { 'x-request-id': 'crash-1' } });
  const body = expectProblem(t, res, 500, undefined, 'worker crash');
  t.notMatch(body.detail, /boom|internal detail/, 'no internals in the response');
  t.match(body.detail, /crash-1/, 'the detail gives the request id to quote');
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  const ok = await app.inject({ method: 'POST', url: '/v1/label-issues', payload: { hello: 'world' } });
  t.equal(ok.statusCode, 200);
  t.same(ok.json(), { endpoint: 'label-issues', kind: 'json-bytes', byte_length: 17, echo: { hello: 'world' } }, 'raw JSON bytes reach the worker unparsed');
});

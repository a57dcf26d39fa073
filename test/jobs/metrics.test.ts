/**
 * Jobs metrics on GET /metrics (src/jobs/metrics.ts), on every store: queue depth by state
 * and the uploads (open, bytes stored) read from the store on scrape; the duration
 * histogram and the failures counter of the jobs this process ran (inline runner, and the
 * runner thread of `npm start` relaying to the main thread); `labelcheck worker`'s
 * METRICS_PORT endpoint.
 */
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { testConfig } from '../../src/config.js';
import { writeNpy } from '../../src/io/npy.js';
import { serveWorkerMetrics } from '../../src/jobs/metrics.js';
import { createJobsPlugin } from '../../src/jobs/plugin.js';
import type { JobStore } from '../../src/jobs/store/types.js';
import { openStoreEnv, rows, STORE_KINDS, synthetic, type StoreEnv } from './helpers.js';

const data = synthetic(300, 4, 3, 0.25);
const body = { labels: data.labels, pred_probs: rows(data) };
const broken = rows(data).map((r, i) => (i === 5 ? r.map((v) => v * 0.5) : r));

function app(env: StoreEnv, runner: 'inline' | 'none' | 'thread'): FastifyInstance {
  return buildApp(testConfig({ workers: 1 }), {
    startPool: false,
    logger: false,
    v1Plugins: [createJobsPlugin({ config: env.cfg, ...(runner === 'thread' ? {} : { store: env.store }), runner })],
  });
}

/** Value of one sample line of the exposition (`name{labels} value`), NaN when absent. */
function sample(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return Number.NaN;
}

async function scrape(a: FastifyInstance): Promise<string> {
  const r = await a.inject({ method: 'GET', url: '/metrics' });
  if (r.statusCode !== 200) throw new Error(r.body);
  return r.body;
}

async function waitDone(a: FastifyInstance, id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const j = (await a.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json() as Record<string, unknown>;
    if (j.status === 'succeeded' || j.status === 'failed') return j;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${id} did not finish`);
}

for (const kind of STORE_KINDS) {
  t.test(`queue depth and uploads from the store (${kind})`, async (t) => {
    const env = await openStoreEnv(kind);
    const a = app(env, 'none');
    await a.ready();
    t.teardown(async () => {
      await a.close();
      await env.cleanup();
    });
    let m = await scrape(a);
    t.equal(sample(m, 'labelcheck_jobs{state="queued"}'), 0);
    t.equal(sample(m, 'labelcheck_uploads_in_progress'), 0);
    t.equal(sample(m, 'labelcheck_upload_bytes_stored'), 0);
    t.equal(sample(m, 'labelcheck_jobs_store_up'), 1);
    for (let i = 0; i < 3; i++) {
      const r = await a.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'confident-joint', ...body } });
      t.equal(r.statusCode, 202);
    }
    const up = (await a.inject({ method: 'POST', url: '/v1/uploads' })).json().id as string;
    await a.inject({ method: 'PUT', url: `/v1/uploads/${up}/parts/1`, payload: Buffer.alloc(1000, 7), headers: { 'content-type': 'application/octet-stream' } });
    const npy = writeNpy(data.labels, '<i8', [data.n]);
    const done = (await a.inject({ method: 'POST', url: '/v1/uploads' })).json().id as string;
    await a.inject({ method: 'PUT', url: `/v1/uploads/${done}/parts/1`, payload: Buffer.from(npy), headers: { 'content-type': 'application/octet-stream' } });
    t.equal((await a.inject({ method: 'POST', url: `/v1/uploads/${done}/complete` })).statusCode, 200);
    m = await scrape(a);
    t.equal(sample(m, 'labelcheck_jobs{state="queued"}'), 3, 'queue depth');
    t.equal(sample(m, 'labelcheck_jobs{state="running"}'), 0);
    t.equal(sample(m, 'labelcheck_uploads_in_progress'), 1, 'the open upload');
    t.equal(sample(m, 'labelcheck_upload_bytes_stored'), 1000 + npy.length, 'its part and the completed file');
    t.match(m, /# TYPE labelcheck_job_duration_seconds histogram/);
  });

  t.test(`duration histogram and failures of the jobs this process ran (${kind})`, async (t) => {
    const env = await openStoreEnv(kind, { pollMs: 20 });
    const a = app(env, 'inline');
    await a.ready();
    t.teardown(async () => {
      await a.close();
      await env.cleanup();
    });
    const ok = (await a.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'confident-joint', ...body } })).json().id as string;
    const bad = (await a.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', labels: data.labels, pred_probs: broken } })).json().id as string;
    t.equal((await waitDone(a, ok)).status, 'succeeded');
    t.equal((await waitDone(a, bad)).status, 'failed');
    const m = await scrape(a);
    t.equal(sample(m, 'labelcheck_jobs{state="succeeded"}'), 1);
    t.equal(sample(m, 'labelcheck_jobs{state="failed"}'), 1);
    t.equal(sample(m, 'labelcheck_jobs{state="queued"}'), 0);
    t.equal(sample(m, 'labelcheck_job_duration_seconds_count{kind="confident-joint",outcome="succeeded"}'), 1);
    t.equal(sample(m, 'labelcheck_job_duration_seconds_count{kind="label-issues",outcome="failed"}'), 1);
    t.ok(sample(m, 'labelcheck_job_duration_seconds_sum{kind="confident-joint",outcome="succeeded"}') > 0, 'a positive run time');
    t.equal(sample(m, 'labelcheck_job_failures_total{kind="label-issues"}'), 1);
    t.ok(Number.isNaN(sample(m, 'labelcheck_job_failures_total{kind="confident-joint"}')), 'no failure of the other kind');
  });
}

t.test('the runner thread (npm start) reports its jobs to the main thread', async (t) => {
  const env = await openStoreEnv('sqlite', { pollMs: 50 });
  const a = app(env, 'thread');
  await a.ready();
  t.teardown(async () => {
    await a.close();
    await env.cleanup();
  });
  const id = (await a.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'dataset-health', ...body } })).json().id as string;
  t.equal((await waitDone(a, id)).status, 'succeeded');
  let m = await scrape(a);
  for (let i = 0; i < 40 && Number.isNaN(sample(m, 'labelcheck_job_duration_seconds_count{kind="dataset-health",outcome="succeeded"}')); i++) {
    await new Promise((r) => setTimeout(r, 25)); // the message may trail the stored result
    m = await scrape(a);
  }
  t.equal(sample(m, 'labelcheck_job_duration_seconds_count{kind="dataset-health",outcome="succeeded"}'), 1);
  t.equal(sample(m, 'labelcheck_jobs{state="succeeded"}'), 1);
});

t.test('labelcheck worker: METRICS_PORT serves the jobs and process metrics', async (t) => {
  const env = await openStoreEnv('sqlite');
  const server = await serveWorkerMetrics(0, '127.0.0.1', env.store);
  t.teardown(async () => {
    await server.close();
    await env.cleanup();
  });
  server.metrics.jobEnded({ kind: 'label-issues', outcome: 'succeeded', seconds: 3 });
  server.metrics.jobEnded({ kind: 'label-issues', outcome: 'failed', seconds: 1 });
  server.metrics.jobEnded({ kind: 'corrected-accuracy', outcome: 'failed', seconds: null });
  const r = await fetch(`${server.url}/metrics`);
  t.equal(r.status, 200);
  const m = await r.text();
  t.equal(sample(m, 'labelcheck_job_duration_seconds_count{kind="label-issues",outcome="succeeded"}'), 1);
  t.equal(sample(m, 'labelcheck_job_duration_seconds_sum{kind="label-issues",outcome="succeeded"}'), 3);
  t.equal(sample(m, 'labelcheck_job_failures_total{kind="label-issues"}'), 1);
  t.equal(sample(m, 'labelcheck_job_failures_total{kind="corrected-accuracy"}'), 1, 'failed without running: counted, no duration');
  t.ok(Number.isNaN(sample(m, 'labelcheck_job_duration_seconds_count{kind="corrected-accuracy",outcome="failed"}')));
  t.equal(sample(m, 'labelcheck_jobs{state="queued"}'), 0);
  t.match(m, /^labelcheck_process_resident_memory_bytes \d+/m, 'process metrics');
  t.equal((await fetch(`${server.url}/other`)).status, 404);

  // a store that cannot be read: the endpoint still answers, saying so
  const down = await serveWorkerMetrics(0, '127.0.0.1', { stats: async () => Promise.reject(new Error('connection refused')) } as unknown as JobStore);
  t.teardown(() => down.close());
  const dm = await (await fetch(`${down.url}/metrics`)).text();
  t.equal(sample(dm, 'labelcheck_jobs_store_up'), 0);
  t.ok(Number.isNaN(sample(dm, 'labelcheck_jobs{state="queued"}')), 'no made-up queue depth');
});

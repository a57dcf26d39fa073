/**
 * The jobs HTTP API through the real app (buildApp + the jobs plugin), on every store:
 * state transitions, pagination, idempotency, cancellation, uploads, multipart, errors,
 * disk budget and retention. The runner is driven explicitly (runOnce) for determinism.
 */
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { testConfig } from '../../src/config.js';
import { writeNpy } from '../../src/io/npy.js';
import { createJobsPlugin } from '../../src/jobs/plugin.js';
import { diskUsage } from '../../src/jobs/files.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { executeRequest } from '../../src/service/index.js';
import { multipart, openStoreEnv, rows, storedEntries, storedUploads, STORE_KINDS, synthetic, type StoreEnv } from './helpers.js';

const data = synthetic(600, 4, 11, 0.25);
const body = { labels: data.labels, pred_probs: rows(data) };
const ppNpy = writeNpy(data.probs, '<f4', [data.n, data.k]);
const lbNpy = writeNpy(data.labels, '<i8', [data.n]);

/** The synchronous body for the same request (label_issues: all rows). */
function syncBody(kind: string, extra: Record<string, unknown> = {}, pred: unknown = body.pred_probs) {
  return executeRequest(kind, { kind: 'json', body: { labels: data.labels, pred_probs: pred, ...(kind === 'label-issues' ? { limit: 0 } : {}), ...extra } }).body;
}
/** The same data as float32, as the .npy upload holds it. */
const f32Rows = rows({ ...data, probs: Float64Array.from(new Float32Array(data.probs)) });

interface Ctx {
  env: StoreEnv;
  app: FastifyInstance;
  runner: JobRunner;
}

async function setup(kind: 'sqlite' | 'postgres', extra: Parameters<typeof openStoreEnv>[1] = {}): Promise<Ctx> {
  const env = await openStoreEnv(kind, { maxChunkRows: 64, ...extra });
  const app = buildApp(testConfig({ workers: 1 }), {
    startPool: false,
    logger: false,
    v1Plugins: [createJobsPlugin({ config: env.cfg, store: env.store, runner: 'none' })],
  });
  await app.ready();
  const runner = new JobRunner(env.store, env.cfg, { purgeEveryMs: 3_600_000 });
  return { env, app, runner };
}

async function teardown(c: Ctx): Promise<void> {
  await c.app.close();
  await c.env.cleanup();
}

async function post(app: FastifyInstance, payload: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v1/jobs', payload: payload as object, headers });
}

async function allIssues(app: FastifyInstance, id: string, limit: number) {
  const out: unknown[] = [];
  let url: string | null = `/v1/jobs/${id}/label-issues?offset=0&limit=${limit}`;
  let pages = 0;
  while (url) {
    const r = await app.inject({ method: 'GET', url });
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
    const p = r.json() as { label_issues: unknown[]; next: string | null };
    out.push(...p.label_issues);
    url = p.next;
    pages++;
  }
  return { items: out, pages };
}

async function uploadFile(app: FastifyInstance, bytes: Uint8Array, partSize: number): Promise<string> {
  const created = await app.inject({ method: 'POST', url: '/v1/uploads', payload: { filename: 'x.npy' } });
  if (created.statusCode !== 201) throw new Error(created.body);
  const id = created.json().id as string;
  const parts: [number, Uint8Array][] = [];
  for (let s = 0, n = 1; s < bytes.length; s += partSize, n++) parts.push([n, bytes.subarray(s, s + partSize)]);
  parts.reverse(); // out of order on purpose
  for (const [n, b] of parts) {
    const r = await app.inject({ method: 'PUT', url: `/v1/uploads/${id}/parts/${n}`, payload: Buffer.from(b), headers: { 'content-type': 'application/octet-stream' } });
    if (r.statusCode !== 200) throw new Error(r.body);
  }
  const done = await app.inject({ method: 'POST', url: `/v1/uploads/${id}/complete` });
  if (done.statusCode !== 200) throw new Error(done.body);
  return id;
}

for (const storeKind of STORE_KINDS) {
  t.test(`jobs API on ${storeKind}`, async (t) => {
    const c = await setup(storeKind);
    t.teardown(() => teardown(c));
    const { app, runner } = c;

    t.test('JSON job: queued → running → succeeded; result and paginated issues equal the sync route', async (t) => {
      const opts = { class_names: ['a', 'b', 'c', 'd'] };
      const r = await post(app, { kind: 'label-issues', ...body, ...opts });
      t.equal(r.statusCode, 202);
      const job = r.json();
      t.equal(r.headers.location, `/v1/jobs/${job.id}`);
      t.equal(job.status, 'queued');
      t.equal(job.started_at, null);
      t.equal(job.links.label_issues, `/v1/jobs/${job.id}/label-issues`);
      const notYet = await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}/result` });
      t.equal(notYet.statusCode, 409, 'result not ready while queued');
      t.match(notYet.headers['content-type'], /^application\/problem\+json/);
      t.match(notYet.json(), { status: 409, detail: /queued/ });

      t.equal(await runner.runOnce(), true);
      t.equal(await runner.runOnce(), false, 'queue empty');
      const done = (await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}` })).json();
      t.equal(done.status, 'succeeded');
      t.equal(done.attempts, 1);
      t.ok(done.run_ms >= 0 && done.queued_ms >= 0);
      t.ok(Date.parse(done.expires_at) > Date.parse(done.finished_at), 'expiry set');
      const want = syncBody('label-issues', opts);
      const res = (await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}/result` })).json();
      const { label_issues: wantIssues, ...wantRest } = want as { label_issues: unknown[] };
      const { label_issues: link, ...rest } = res;
      t.same(rest, wantRest, 'result body = sync body without label_issues');
      t.same(link, { total: wantIssues.length, href: `/v1/jobs/${job.id}/label-issues` });
      t.equal(done.num_label_issues_stored, wantIssues.length);
      t.ok(wantIssues.length > 40, `enough issues to page (${wantIssues.length})`);
      const { items, pages } = await allIssues(app, job.id, 17);
      t.same(items, wantIssues, 'pages concatenate to the sync ranking, names included');
      t.ok(pages >= 3);
      const page = (await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}/label-issues?offset=5&limit=3` })).json();
      t.same(page.label_issues, wantIssues.slice(5, 8));
      t.equal(page.total, wantIssues.length);
      const past = (await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}/label-issues?offset=100000` })).json();
      t.same(past.label_issues, []);
      t.equal(past.next, null);
    });

    t.test('other kinds: confident-joint, dataset-health, corrected-accuracy', async (t) => {
      for (const [kind, extra] of [
        ['confident-joint', { calibrate: false }],
        ['dataset-health', { asymmetric: true }],
        ['corrected-accuracy', { models: { always_given: { predictions: data.labels } } }],
      ] as const) {
        const r = await post(app, { kind, ...body, ...extra });
        t.equal(r.statusCode, 202, kind);
        await runner.runOnce();
        const res = await app.inject({ method: 'GET', url: `/v1/jobs/${r.json().id}/result` });
        t.equal(res.statusCode, 200, kind);
        t.same(res.json(), syncBody(kind, extra), `${kind} result = sync body`);
        const li = await app.inject({ method: 'GET', url: `/v1/jobs/${r.json().id}/label-issues` });
        t.equal(li.statusCode, 404, `${kind} has no label-issues page`);
      }
    });

    t.test('idempotency key: same request → same job; different request → 422', async (t) => {
      const h = { 'idempotency-key': `k-${storeKind}-1` };
      const a = await post(app, { kind: 'dataset-health', ...body }, h);
      const b = await post(app, { kind: 'dataset-health', ...body }, h);
      t.equal(a.statusCode, 202);
      t.equal(b.statusCode, 202);
      t.equal(b.json().id, a.json().id);
      t.equal(b.headers['idempotent-replayed'], 'true');
      const c2 = await post(app, { kind: 'dataset-health', ...body, asymmetric: true }, h);
      t.equal(c2.statusCode, 422);
      t.match(c2.json(), { status: 422, detail: /different request/ });
      const d = await post(app, { kind: 'dataset-health', ...body });
      t.not(d.json().id, a.json().id, 'no key: a new job');
      while (await runner.runOnce());
    });

    t.test('bad submissions are 400 before queueing; unknown ids 404', async (t) => {
      const cases: [unknown, RegExp][] = [
        [{ ...body }, /kind/],
        [{ kind: 'nope', ...body }, /kind must be one of/],
        [{ kind: 'label-issues', ...body, filter_by: 'sometimes' }, /filter_by/],
        [{ kind: 'label-issues', ...body, bogus: 1 }, /bogus/],
        [{ kind: 'label-issues', labels: { upload: 'x' }, pred_probs: body.pred_probs }, /upload/],
      ];
      for (const [payload, re] of cases) {
        const r = await post(app, payload);
        t.equal(r.statusCode, 400, JSON.stringify(payload).slice(0, 60));
        t.match(r.json().detail, re);
        t.match(r.headers['content-type'], /^application\/problem\+json/);
      }
      // An unknown upload is a 404 naming it (another key's upload gets the same answer: test/harden/tenancy.test.ts).
      const missing = '00000000-0000-4000-8000-000000000001';
      const gone = await post(app, { kind: 'label-issues', labels: { upload: '00000000-0000-4000-8000-000000000000' }, pred_probs: { upload: missing } });
      t.equal(gone.statusCode, 404);
      t.match(gone.json().detail, new RegExp(`pred_probs refers to upload ${missing}, which does not exist`));
      const bad = await app.inject({ method: 'POST', url: '/v1/jobs', payload: '{"kind":', headers: { 'content-type': 'application/json' } });
      t.equal(bad.statusCode, 400);
      const text = await app.inject({ method: 'POST', url: '/v1/jobs', payload: 'hello', headers: { 'content-type': 'text/plain' } });
      t.equal(text.statusCode, 415);
      t.equal((await app.inject({ method: 'GET', url: '/v1/jobs/00000000-0000-4000-8000-000000000000' })).statusCode, 404);
      t.equal((await app.inject({ method: 'GET', url: '/v1/jobs/not-an-id' })).statusCode, 400);
      t.equal((await app.inject({ method: 'DELETE', url: '/v1/jobs/00000000-0000-4000-8000-000000000000' })).statusCode, 404);
      t.equal((await runner.runOnce()), false, 'nothing was queued');
    });

    t.test('invalid arrays: the job fails with the 400 problem naming the row', async (t) => {
      const broken = rows(data);
      broken[17] = broken[17]!.map((v) => v * 0.5);
      const r = await post(app, { kind: 'label-issues', labels: data.labels, pred_probs: broken });
      await runner.runOnce();
      const job = (await app.inject({ method: 'GET', url: `/v1/jobs/${r.json().id}` })).json();
      t.equal(job.status, 'failed');
      t.match(job.error, { status: 400, detail: /pred_probs row 17 sums to/, errors: [{ path: 'pred_probs[17]' }] });
      const res = await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}/result` });
      t.equal(res.statusCode, 409);
      t.match(res.json().detail, /failed: pred_probs row 17/);
    });

    t.test('cancel a queued job, then delete it', async (t) => {
      const r = await post(app, { kind: 'confident-joint', ...body });
      const id = r.json().id;
      const del = await app.inject({ method: 'DELETE', url: `/v1/jobs/${id}` });
      t.equal(del.statusCode, 202);
      t.equal(del.json().status, 'cancelled');
      t.equal(await runner.runOnce(), false, 'a cancelled job is not run');
      t.equal((await app.inject({ method: 'GET', url: `/v1/jobs/${id}/result` })).statusCode, 409);
      t.equal((await app.inject({ method: 'DELETE', url: `/v1/jobs/${id}` })).statusCode, 204);
      t.equal((await app.inject({ method: 'GET', url: `/v1/jobs/${id}` })).statusCode, 404);
    });

    t.test('uploads in parts → chunked job equals the sync route; progress by pass', async (t) => {
      const pp = await uploadFile(app, ppNpy, 1000);
      const lb = await uploadFile(app, lbNpy, 333);
      const info = (await app.inject({ method: 'GET', url: `/v1/uploads/${pp}` })).json();
      t.match(info, { status: 'complete', dtype: '<f4', shape: [data.n, data.k], size: ppNpy.length });
      const r = await post(app, { kind: 'label-issues', labels: { upload: lb }, pred_probs: { upload: pp }, filter_by: 'both', rank_by: 'normalized_margin' });
      t.equal(r.statusCode, 202, r.body);
      await runner.runOnce();
      const job = (await app.inject({ method: 'GET', url: `/v1/jobs/${r.json().id}` })).json();
      t.equal(job.status, 'succeeded', JSON.stringify(job.error));
      t.same(job.progress, { pass: 4, passes: 4, rows_done: data.n, rows_total: data.n }, 'finished: all four passes over the rows done (not "pass 3/4")');
      const want = syncBody('label-issues', { filter_by: 'both', rank_by: 'normalized_margin' }, f32Rows) as { label_issues: unknown[] };
      const { items } = await allIssues(app, job.id, 50);
      t.same(items, want.label_issues);
      const res = (await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}/result` })).json();
      const { label_issues: _a, ...rest } = res;
      const { label_issues: _b, ...wantRest } = want;
      t.same(rest, wantRest);

      // corrected-accuracy over the same uploads, models inline (computed in memory: the files fit)
      const models = { always_given: { predictions: data.labels } };
      const rc = await post(app, { kind: 'corrected-accuracy', labels: { upload: lb }, pred_probs: { upload: pp }, models });
      t.equal(rc.statusCode, 202, rc.body);
      await runner.runOnce();
      t.same((await app.inject({ method: 'GET', url: `/v1/jobs/${rc.json().id}/result` })).json(), syncBody('corrected-accuracy', { models }, f32Rows));

      // upload errors
      const up = (await app.inject({ method: 'POST', url: '/v1/uploads' })).json().id as string;
      await app.inject({ method: 'PUT', url: `/v1/uploads/${up}/parts/2`, payload: Buffer.from(ppNpy.subarray(200)), headers: { 'content-type': 'application/octet-stream' } });
      const gap = await app.inject({ method: 'POST', url: `/v1/uploads/${up}/complete` });
      t.equal(gap.statusCode, 400);
      t.match(gap.json().detail, /missing part 1/);
      await app.inject({ method: 'PUT', url: `/v1/uploads/${up}/parts/1`, payload: Buffer.from(ppNpy.subarray(0, 190)), headers: { 'content-type': 'application/octet-stream' } });
      const short = await app.inject({ method: 'POST', url: `/v1/uploads/${up}/complete` });
      t.equal(short.statusCode, 400);
      t.match(short.json().detail, /needs exactly \d+: parts are missing or the file is truncated/);
      await app.inject({ method: 'PUT', url: `/v1/uploads/${up}/parts/1`, payload: Buffer.from(ppNpy.subarray(0, 200)), headers: { 'content-type': 'application/octet-stream' } });
      const ok = await app.inject({ method: 'POST', url: `/v1/uploads/${up}/complete` });
      t.equal(ok.statusCode, 200, 'fixed by re-sending part 1');
      const again = await app.inject({ method: 'PUT', url: `/v1/uploads/${up}/parts/3`, payload: Buffer.from('x'), headers: { 'content-type': 'application/octet-stream' } });
      t.equal(again.statusCode, 409);
      const open = (await app.inject({ method: 'POST', url: '/v1/uploads' })).json().id as string;
      const notDone = await post(app, { kind: 'label-issues', labels: { upload: lb }, pred_probs: { upload: open } });
      t.equal(notDone.statusCode, 400);
      t.match(notDone.json().detail, /not complete/);
      const swapped = await post(app, { kind: 'label-issues', labels: { upload: pp }, pred_probs: { upload: lb } });
      t.equal(swapped.statusCode, 400, 'shape checks from the headers');
      const notNpy = (await app.inject({ method: 'POST', url: '/v1/uploads' })).json().id as string;
      await app.inject({ method: 'PUT', url: `/v1/uploads/${notNpy}/parts/1`, payload: Buffer.from('{"a": 1}'), headers: { 'content-type': 'application/json' } });
      const bad = await app.inject({ method: 'POST', url: `/v1/uploads/${notNpy}/complete` });
      t.equal(bad.statusCode, 400);
      t.match(bad.json().detail, /not a NumPy \.npy file/);
      t.equal((await app.inject({ method: 'DELETE', url: `/v1/uploads/${notNpy}` })).statusCode, 204);
      t.equal((await app.inject({ method: 'GET', url: `/v1/uploads/${notNpy}` })).statusCode, 404);
      t.notOk((await storedUploads(c.env)).includes(notNpy), 'its bytes are removed');
      t.same(await storedEntries(c.env, notNpy), []);
    });

    t.test('multipart job: parts streamed to disk, deleted with the job', async (t) => {
      const form = multipart([
        { name: 'kind', value: 'dataset-health' },
        { name: 'options', value: JSON.stringify({ asymmetric: true }) },
        { name: 'pred_probs', filename: 'p.npy', value: ppNpy },
        { name: 'labels', filename: 'l.npy', value: lbNpy },
      ]);
      const r = await app.inject({ method: 'POST', url: '/v1/jobs', payload: form.payload, headers: form.headers });
      t.equal(r.statusCode, 202, r.body);
      await runner.runOnce();
      const res = await app.inject({ method: 'GET', url: `/v1/jobs/${r.json().id}/result` });
      t.same(res.json(), syncBody('dataset-health', { asymmetric: true }, f32Rows));
      const before = (await storedUploads(c.env)).length;
      t.equal((await app.inject({ method: 'DELETE', url: `/v1/jobs/${r.json().id}` })).statusCode, 204);
      t.equal((await storedUploads(c.env)).length, before - 2, 'its two uploads are gone');

      // corrected-accuracy over uploaded files runs in memory (the files fit the budget)
      const models = { always_given: { predictions: data.labels } };
      const ca = multipart([
        { name: 'options', value: JSON.stringify({ kind: 'corrected-accuracy', models }) },
        { name: 'pred_probs', filename: 'p.npy', value: ppNpy },
        { name: 'labels', filename: 'l.npy', value: lbNpy },
      ]);
      const rca = await app.inject({ method: 'POST', url: '/v1/jobs', payload: ca.payload, headers: ca.headers });
      t.equal(rca.statusCode, 202, rca.body);
      await runner.runOnce();
      t.same((await app.inject({ method: 'GET', url: `/v1/jobs/${rca.json().id}/result` })).json(), syncBody('corrected-accuracy', { models }, f32Rows));

      const beforeBad = (await storedUploads(c.env)).length;
      const badForm = multipart([{ name: 'pred_probs', filename: 'p.npy', value: ppNpy }, { name: 'labels', filename: 'l.npy', value: lbNpy }]);
      const noKind = await app.inject({ method: 'POST', url: '/v1/jobs', payload: badForm.payload, headers: badForm.headers });
      t.equal(noKind.statusCode, 400);
      t.equal((await storedUploads(c.env)).length, beforeBad, 'a rejected multipart leaves no files');
    });

    t.test('list with paging and status filter', async (t) => {
      const all = (await app.inject({ method: 'GET', url: '/v1/jobs?limit=1000' })).json();
      t.ok(all.total >= 8);
      const ids: string[] = [];
      let url: string | null = '/v1/jobs?limit=3';
      while (url) {
        const p: { jobs: { id: string }[]; next: string | null } = (await app.inject({ method: 'GET', url })).json();
        ids.push(...p.jobs.map((j: { id: string }) => j.id));
        url = p.next;
      }
      t.same(ids, all.jobs.map((j: { id: string }) => j.id), 'pages concatenate to the full list');
      t.equal(new Set(ids).size, all.total);
      const failed = (await app.inject({ method: 'GET', url: '/v1/jobs?status=failed' })).json();
      t.ok(failed.jobs.length >= 1);
      t.ok(failed.jobs.every((j: { status: string }) => j.status === 'failed'));
      t.equal((await app.inject({ method: 'GET', url: '/v1/jobs?limit=0' })).statusCode, 400);
    });

    t.test('cancel a running job: the runner stops at its next chunk', async (t) => {
      const big = synthetic(20_000, 5, 3);
      // an upload job with tiny chunks, so it runs long enough to be cancelled mid-way
      const pp = await uploadFile(app, writeNpy(big.probs, '<f8', [big.n, big.k]), 1 << 20);
      const lb = await uploadFile(app, writeNpy(big.labels, '<i4', [big.n]), 1 << 20);
      const j = (await post(app, { kind: 'label-issues', labels: { upload: lb }, pred_probs: { upload: pp } })).json();
      c.env.cfg.maxChunkRows = 16;
      const running = runner.runOnce();
      let seen = false;
      for (let i = 0; i < 400 && !seen; i++) {
        await new Promise((r) => setTimeout(r, 10));
        const s = (await app.inject({ method: 'GET', url: `/v1/jobs/${j.id}` })).json();
        seen = s.status === 'running' && s.progress?.rows_done > 0;
      }
      t.ok(seen, 'observed running with progress');
      const del = await app.inject({ method: 'DELETE', url: `/v1/jobs/${j.id}` });
      t.equal(del.statusCode, 202);
      await running;
      c.env.cfg.maxChunkRows = 64;
      const after = (await app.inject({ method: 'GET', url: `/v1/jobs/${j.id}` })).json();
      t.equal(after.status, 'cancelled');
      t.equal(after.num_label_issues_stored, null);
      t.equal((await app.inject({ method: 'GET', url: `/v1/jobs/${j.id}/label-issues` })).statusCode, 409);
    });

    t.test('disk budget: uploads and results refused with 507, store stays usable', async (t) => {
      const cfg = c.env.cfg;
      const used = await diskUsage(c.env.store, cfg);
      cfg.diskBudgetBytes = used + 200;
      const up = (await app.inject({ method: 'POST', url: '/v1/uploads' })).json().id as string;
      const big = await app.inject({ method: 'PUT', url: `/v1/uploads/${up}/parts/1`, payload: Buffer.alloc(5000, 1), headers: { 'content-type': 'application/octet-stream' } });
      t.equal(big.statusCode, 507);
      t.match(big.json(), { status: 507, detail: /disk budget/ });
      t.same(await storedEntries(c.env, up), [], 'no partial file left');
      t.equal((await app.inject({ method: 'GET', url: `/v1/uploads/${up}` })).json().size, 0);

      // a result that does not fit: the job fails with a clear problem
      cfg.diskBudgetBytes = (await diskUsage(c.env.store, cfg)) + 100;
      const r = await post(app, { kind: 'label-issues', ...body });
      await runner.runOnce();
      const job = (await app.inject({ method: 'GET', url: `/v1/jobs/${r.json().id}` })).json();
      t.equal(job.status, 'failed');
      t.match(job.error, { status: 507, detail: /JOB_DISK_BUDGET_MB/ });
      // the store is still usable: a job runs once space is available
      cfg.diskBudgetBytes = null;
      const r2 = await post(app, { kind: 'label-issues', ...body });
      await runner.runOnce();
      t.equal((await app.inject({ method: 'GET', url: `/v1/jobs/${r2.json().id}` })).json().status, 'succeeded');
      t.equal((await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}` })).json().status, 'failed', 'the failed job is still readable');
    });

    t.test('a job whose worker keeps dying fails after JOB_MAX_ATTEMPTS', async (t) => {
      const id = (await post(app, { kind: 'confident-joint', ...body })).json().id;
      const cfg = c.env.cfg;
      const max = cfg.maxAttempts;
      cfg.maxAttempts = 2;
      // two workers claim it and "die" (their 1 ms leases expire)
      for (const w of ['dead-1', 'dead-2']) {
        t.equal((await c.env.store.claimNext(w, Date.now(), 1))?.id, id);
        await new Promise((r) => setTimeout(r, 5));
      }
      await runner.runOnce();
      cfg.maxAttempts = max;
      const job = (await app.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json();
      t.equal(job.status, 'failed');
      t.equal(job.attempts, 3);
      t.match(job.error, { status: 500, detail: /started 2 times .* giving up \(JOB_MAX_ATTEMPTS = 2\)/ });
    });

    t.test('retention removes expired jobs and their files', async (t) => {
      const form = multipart([
        { name: 'kind', value: 'confident-joint' },
        { name: 'pred_probs', filename: 'p.npy', value: ppNpy },
        { name: 'labels', filename: 'l.npy', value: lbNpy },
      ]);
      const id = (await app.inject({ method: 'POST', url: '/v1/jobs', payload: form.payload, headers: form.headers })).json().id;
      const cfg = c.env.cfg;
      const ttl = cfg.jobTtlHours;
      cfg.jobTtlHours = 1 / 3600 / 1000; // 1 ms
      await runner.runOnce();
      const owned = (await storedUploads(c.env)).length;
      await new Promise((r) => setTimeout(r, 20));
      const purger = new JobRunner(c.env.store, cfg, { purgeEveryMs: 0 });
      await purger.runOnce();
      cfg.jobTtlHours = ttl;
      t.equal((await app.inject({ method: 'GET', url: `/v1/jobs/${id}` })).statusCode, 404, 'expired job removed');
      t.ok((await storedUploads(c.env)).length <= owned - 2, 'its uploads are removed from disk');
    });
  });
}

t.test('in-process runner thread (npm start): a submitted job runs without any call from the test', async (t) => {
  const env = await openStoreEnv('sqlite', { pollMs: 100 });
  const app = buildApp(testConfig({ workers: 1 }), {
    startPool: false,
    logger: false,
    v1Plugins: [createJobsPlugin({ config: env.cfg })],
  });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    await env.cleanup();
  });
  const r = await post(app, { kind: 'confident-joint', ...body });
  t.equal(r.statusCode, 202);
  let job = r.json();
  for (let i = 0; i < 300 && job.status !== 'succeeded' && job.status !== 'failed'; i++) {
    await new Promise((res) => setTimeout(res, 50));
    job = (await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}` })).json();
  }
  t.equal(job.status, 'succeeded', JSON.stringify(job.error));
  t.same((await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}/result` })).json(), syncBody('confident-joint'));
});

t.test('a stopping worker puts its running job back in the queue (SIGTERM path)', async (t) => {
  const c = await setup('sqlite', { maxChunkRows: 8, pollMs: 20 });
  t.teardown(() => teardown(c));
  const big = synthetic(20_000, 5, 9);
  const pp = await uploadFile(c.app, writeNpy(big.probs, '<f8', [big.n, big.k]), 1 << 20);
  const lb = await uploadFile(c.app, writeNpy(big.labels, '<i4', [big.n]), 1 << 20);
  const id = (await post(c.app, { kind: 'label-issues', labels: { upload: lb }, pred_probs: { upload: pp } })).json().id;
  c.runner.start();
  let s = (await c.app.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json();
  for (let i = 0; i < 500 && !(s.status === 'running' && s.progress?.rows_done > 0); i++) {
    await new Promise((r) => setTimeout(r, 10));
    s = (await c.app.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json();
  }
  t.equal(s.status, 'running');
  await c.runner.stop();
  const back = (await c.app.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json();
  t.equal(back.status, 'queued', 'released');
  t.equal(back.attempts, 0, 'a graceful stop does not use up an attempt');
  c.env.cfg.maxChunkRows = 4096;
  t.equal(await c.runner.runOnce(), true);
  const done = (await c.app.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json();
  t.equal(done.status, 'succeeded');
  t.equal(done.attempts, 1);
});

t.test('the jobs routes sit behind the API key when one is set', async (t) => {
  const env = await openStoreEnv('sqlite');
  const app = buildApp(testConfig({ workers: 1, apiKey: 'sesame' }), {
    startPool: false,
    logger: false,
    v1Plugins: [createJobsPlugin({ config: env.cfg, store: env.store, runner: 'none' })],
  });
  t.teardown(async () => {
    await app.close();
    await env.cleanup();
  });
  t.equal((await app.inject({ method: 'GET', url: '/v1/jobs' })).statusCode, 401);
  t.equal((await app.inject({ method: 'POST', url: '/v1/uploads' })).statusCode, 401);
  t.equal((await app.inject({ method: 'GET', url: '/v1/jobs', headers: { authorization: 'Bearer sesame' } })).statusCode, 200);
});

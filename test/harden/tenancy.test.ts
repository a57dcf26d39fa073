/**
 * Issue 16: tenancy. With API_KEYS (`name:key` pairs) every job, upload, result, review and
 * report belongs to the key that created it: another key gets the 404 of an unknown id on
 * every route and does not see it in lists; the key named admin (also API_KEY) sees and
 * manages everything; rows from before tenancy (owner NULL) are admin-only; log lines carry
 * the key's name and never the key. Every store (PostgreSQL when TEST_DATABASE_URL is set).
 */
import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { apiKeysOf, ConfigError, loadConfig, testConfig, type ApiKey, type Config } from '../../src/config.js';
import { writeNpy } from '../../src/io/npy.js';
import { resolveJobsConfig } from '../../src/jobs/config.js';
import { createJobsPlugin } from '../../src/jobs/plugin.js';
import { JobRunner, type RunnerLogger } from '../../src/jobs/runner.js';
import { openJobStore, PostgresJobStore } from '../../src/jobs/store/index.js';
import { MIGRATIONS as PG_MIGRATIONS } from '../../src/jobs/store/postgres.js';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../src/jobs/store/sqlite.js';
import { startServer } from '../../src/server.js';
import { createWebPlugin } from '../../src/web/plugin.js';
import { openStoreEnv, rows, STORE_KINDS, synthetic, tempDir, uniqueSchema, type StoreEnv } from '../jobs/helpers.js';

const KEYS: ApiKey[] = [
  { name: 'alice', key: 'alice-s3cret-KEY-1111' },
  { name: 'bob', key: 'bob-s3cret-KEY-2222' },
  { name: 'admin', key: 'admin-s3cret-KEY-0000' },
];
const key = (name: string): string => KEYS.find((k) => k.name === name)!.key;
const as = (name: string): Record<string, string> => ({ authorization: `Bearer ${key(name)}` });

const data = synthetic(80, 3, 5, 0.25);
const body = { labels: data.labels, pred_probs: rows(data) };
const lbNpy = writeNpy(data.labels, '<i8', [data.n]);
const ppNpy = writeNpy(data.probs, '<f8', [data.n, data.k]);

interface Ctx {
  env: StoreEnv;
  app: FastifyInstance;
  runner: JobRunner;
  /** Every log line the app and the runner wrote. */
  lines: string[];
}

function capture(lines: string[]): RunnerLogger {
  const put = (level: string) => (o: object, m?: string) => lines.push(JSON.stringify({ level, ...o, msg: m }));
  return { info: put('info'), warn: put('warn'), error: put('error') };
}

async function setup(env: StoreEnv, config: Partial<Config>): Promise<Ctx> {
  const lines: string[] = [];
  const app = buildApp(testConfig({ workers: 1, maxEventLoopDelayMs: 0, ...config }), {
    startPool: false,
    logger: { level: 'trace', stream: { write: (line: string) => void lines.push(line) } },
    v1Plugins: [createJobsPlugin({ config: env.cfg, store: env.store, runner: 'none' })],
    rootPlugins: [createWebPlugin()],
  });
  await app.ready();
  const runner = new JobRunner(env.store, env.cfg, { purgeEveryMs: 3_600_000, log: capture(lines) });
  return { env, app, runner, lines };
}

async function submit(c: Ctx, who: string | null, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<string> {
  const r = await c.app.inject({
    method: 'POST',
    url: '/v1/jobs',
    payload: { kind: 'label-issues', ...body, ...extra },
    headers: { ...(who ? as(who) : {}), ...headers },
  });
  if (r.statusCode !== 202) throw new Error(`POST /v1/jobs as ${who}: ${r.statusCode} ${r.body}`);
  return r.json().id as string;
}

async function upload(c: Ctx, who: string, bytes: Uint8Array, complete = true, filename = 'x.npy'): Promise<string> {
  const r = await c.app.inject({ method: 'POST', url: '/v1/uploads', payload: { filename }, headers: as(who) });
  if (r.statusCode !== 201) throw new Error(r.body);
  const id = r.json().id as string;
  const p = await c.app.inject({
    method: 'PUT',
    url: `/v1/uploads/${id}/parts/1`,
    payload: Buffer.from(bytes),
    headers: { ...as(who), 'content-type': 'application/octet-stream' },
  });
  if (p.statusCode !== 200) throw new Error(p.body);
  if (complete) {
    const done = await c.app.inject({ method: 'POST', url: `/v1/uploads/${id}/complete`, headers: as(who) });
    if (done.statusCode !== 200) throw new Error(done.body);
  }
  return id;
}

/** The 404 of an id that does not exist: same status, type and detail. */
function isUnknown(t: Test, r: LightMyRequestResponse, what: 'job' | 'upload', id: string, msg: string): void {
  t.equal(r.statusCode, 404, `${msg}: 404`);
  t.match(r.headers['content-type'], /^application\/problem\+json/, `${msg}: problem+json`);
  t.equal(r.json().detail, `No ${what} with id ${id}`, `${msg}: the answer for an unknown id`);
}

const listIds = async (c: Ctx, who: string): Promise<{ ids: string[]; total: number }> => {
  const r = await c.app.inject({ method: 'GET', url: '/v1/jobs?limit=100', headers: as(who) });
  return { ids: (r.json().jobs as { id: string }[]).map((j) => j.id), total: r.json().total as number };
};

for (const kind of STORE_KINDS) {
  t.test(`alice, bob and admin (${kind})`, async (t) => {
    const env = await openStoreEnv(kind);
    const c = await setup(env, { apiKeys: KEYS });
    t.teardown(async () => {
      await c.app.close();
      await env.cleanup();
    });
    const aliceJob = await submit(c, 'alice', {}, { 'idempotency-key': 'same-key' });
    const bobJob = await submit(c, 'bob', {}, { 'idempotency-key': 'same-key' });
    t.not(bobJob, aliceJob, "an Idempotency-Key is per key: bob's does not find alice's job");
    t.equal(await submit(c, 'alice', {}, { 'idempotency-key': 'same-key' }), aliceJob, "alice's own key still replays her job");
    while (await c.runner.runOnce());
    const aliceQueued = await submit(c, 'alice');
    t.equal((await env.store.getJob(aliceJob))?.owner, 'alice', 'stored with its owner');

    t.test("alice's job is 404 for bob on every route", async (t) => {
      const id = aliceJob;
      const routes: [string, string, unknown?][] = [
        ['GET', `/v1/jobs/${id}`],
        ['GET', `/v1/jobs/${id}/result`],
        ['GET', `/v1/jobs/${id}/label-issues`],
        ['GET', `/v1/jobs/${id}/report`],
        ['GET', `/v1/jobs/${id}/review-queue`],
        ['GET', `/v1/jobs/${id}/reviews`],
        ['GET', `/v1/jobs/${id}/verdicts`],
        ['GET', `/v1/jobs/${id}/corrections`],
        ['GET', `/v1/jobs/${id}/corrections?format=npy`],
        ['PUT', `/v1/jobs/${id}/reviews/0`, { reviewer: 'bob', label: 1 }],
        ['DELETE', `/v1/jobs/${id}/reviews/0?reviewer=ana`],
        ['POST', `/v1/jobs/${id}/corrected-accuracy`, {}],
        ['DELETE', `/v1/jobs/${id}`],
      ];
      for (const [method, url, payload] of routes) {
        const r = await c.app.inject({ method: method as 'GET', url, headers: as('bob'), ...(payload !== undefined ? { payload: payload as object } : {}) });
        isUnknown(t, r, 'job', id, `bob ${method} ${url}`);
      }
      // cancel: DELETE of a queued job
      isUnknown(t, await c.app.inject({ method: 'DELETE', url: `/v1/jobs/${aliceQueued}`, headers: as('bob') }), 'job', aliceQueued, 'bob cancels');
      t.equal((await env.store.getJob(aliceQueued))?.status, 'queued', 'still queued');
      t.equal((await env.store.getJob(aliceJob))?.status, 'succeeded', 'still there');
      t.same(await env.store.listReviews(aliceJob), [], 'no verdict was stored');
      // the same routes work for alice
      for (const url of [`/v1/jobs/${id}`, `/v1/jobs/${id}/result`, `/v1/jobs/${id}/report`, `/v1/jobs/${id}/review-queue`, `/v1/jobs/${id}/reviews`, `/v1/jobs/${id}/corrections`]) {
        t.equal((await c.app.inject({ method: 'GET', url, headers: as('alice') })).statusCode, 200, `alice GET ${url}`);
      }
      const verdict = await c.app.inject({ method: 'PUT', url: `/v1/jobs/${id}/reviews/0`, payload: { reviewer: 'ana', label: 1 }, headers: as('alice') });
      t.equal(verdict.statusCode, 200, "alice's reviewer stores a verdict");
      t.equal((await c.app.inject({ method: 'GET', url: `/v1/jobs/${id}/verdicts`, headers: as('bob') })).statusCode, 404, 'and bob still cannot read it');
      // the review page itself carries no data and is the same for every key
      t.equal((await c.app.inject({ method: 'GET', url: `/review/${id}` })).statusCode, 200);
    });

    t.test('lists: each key sees its own jobs, admin sees all', async (t) => {
      const bob = await listIds(c, 'bob');
      t.same(bob.ids, [bobJob], "bob's list has only his job");
      t.equal(bob.total, 1, 'and counts only his');
      const alice = await listIds(c, 'alice');
      t.same(alice.ids.sort(), [aliceJob, aliceQueued].sort());
      const admin = await listIds(c, 'admin');
      t.same(admin.ids.sort(), [aliceJob, aliceQueued, bobJob].sort(), 'admin sees both');
      const filtered = await c.app.inject({ method: 'GET', url: '/v1/jobs?status=queued', headers: as('bob') });
      t.equal(filtered.json().total, 0, "a status filter does not bring alice's queued job into bob's list");
    });

    t.test("uploads: bob can neither read, write, complete, delete nor use alice's", async (t) => {
      const lb = await upload(c, 'alice', lbNpy);
      const pp = await upload(c, 'alice', ppNpy);
      const open = await upload(c, 'alice', ppNpy, false);
      isUnknown(t, await c.app.inject({ method: 'GET', url: `/v1/uploads/${lb}`, headers: as('bob') }), 'upload', lb, 'bob GET upload');
      const part = await c.app.inject({
        method: 'PUT',
        url: `/v1/uploads/${open}/parts/2`,
        payload: Buffer.from('not yours'),
        headers: { ...as('bob'), 'content-type': 'application/octet-stream' },
      });
      isUnknown(t, part, 'upload', open, 'bob PUT part');
      t.same((await env.store.listUploadParts(open)).map((p) => p.n), [1], 'no part was added');
      isUnknown(t, await c.app.inject({ method: 'POST', url: `/v1/uploads/${open}/complete`, headers: as('bob') }), 'upload', open, 'bob completes');
      t.equal((await env.store.getUpload(open))?.status, 'open', 'still open');
      isUnknown(t, await c.app.inject({ method: 'DELETE', url: `/v1/uploads/${lb}`, headers: as('bob') }), 'upload', lb, 'bob deletes');
      t.ok(await env.store.getUpload(lb), 'still there');

      const refs = { labels: { upload: lb }, pred_probs: { upload: pp } };
      const stolen = await c.app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', ...refs }, headers: as('bob') });
      t.equal(stolen.statusCode, 404, "bob cannot submit a job over alice's uploads");
      t.equal(stolen.json().detail, `pred_probs refers to upload ${pp}, which does not exist (deleted or expired?)`, 'named as if it did not exist');
      const bobPp = await upload(c, 'bob', ppNpy);
      const missing = randomUUID();
      const unknown = await c.app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', labels: { upload: missing }, pred_probs: { upload: bobPp } }, headers: as('bob') });
      t.equal(unknown.statusCode, 404, 'the same answer as for an upload that does not exist');
      t.equal(unknown.json().detail, `labels refers to upload ${missing}, which does not exist (deleted or expired?)`);
      const mixed = await c.app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', labels: { upload: lb }, pred_probs: { upload: bobPp } }, headers: as('bob') });
      t.equal(mixed.statusCode, 404, "one of bob's uploads does not open alice's other one");
      t.equal(mixed.json().detail, `labels refers to upload ${lb}, which does not exist (deleted or expired?)`);
      const his = await c.app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', labels: { upload: await upload(c, 'bob', lbNpy) }, pred_probs: { upload: bobPp } }, headers: as('bob') });
      t.equal(his.statusCode, 202, 'over his own uploads bob can');
      const jsonl = Buffer.from(Array.from({ length: data.n }, (_, i) => JSON.stringify({ id: `row-${i}` })).join('\n'));
      const aliceExamples = await upload(c, 'alice', jsonl, true, 'examples.jsonl');
      const withHers = await c.app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', ...body, examples: { upload: aliceExamples } }, headers: as('bob') });
      t.equal(withHers.statusCode, 404, "bob cannot attach alice's examples upload");
      t.equal(withHers.json().detail, `examples refers to upload ${aliceExamples}, which does not exist (deleted or expired?)`);
      const aliceWithHers = await c.app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', ...body, examples: { upload: aliceExamples } }, headers: as('alice') });
      t.equal(aliceWithHers.statusCode, 202, 'alice can attach her own examples upload');

      const own = await c.app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', ...refs }, headers: as('alice') });
      t.equal(own.statusCode, 202, 'alice can');
      const byAdmin = await c.app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', ...refs }, headers: as('admin') });
      t.equal(byAdmin.statusCode, 202, 'admin can use any upload');
      t.equal((await env.store.getJob(byAdmin.json().id))?.owner, 'admin', "admin's job is admin's");
      t.equal((await c.app.inject({ method: 'GET', url: `/v1/uploads/${open}`, headers: as('admin') })).statusCode, 200, 'admin reads any upload');
      t.equal((await c.app.inject({ method: 'DELETE', url: `/v1/uploads/${open}`, headers: as('admin') })).statusCode, 204, 'admin deletes any upload');
      t.equal((await env.store.getUpload(lb))?.owner, 'alice');
    });

    t.test('admin manages everything: reads and deletes alice’s job', async (t) => {
      t.equal((await c.app.inject({ method: 'GET', url: `/v1/jobs/${aliceJob}/report`, headers: as('admin') })).statusCode, 200);
      t.equal((await c.app.inject({ method: 'DELETE', url: `/v1/jobs/${aliceQueued}`, headers: as('admin') })).statusCode, 202, 'cancels');
      t.equal((await c.app.inject({ method: 'DELETE', url: `/v1/jobs/${aliceJob}`, headers: as('admin') })).statusCode, 204, 'deletes');
      t.equal(await env.store.getJob(aliceJob), null);
      t.equal((await c.app.inject({ method: 'DELETE', url: `/v1/jobs/${bobJob}`, headers: as('bob') })).statusCode, 204, 'bob deletes his own');
    });

    t.test('log lines carry the key name, never the key', async (t) => {
      const all = c.lines.join('\n');
      for (const k of KEYS) t.notOk(all.includes(k.key), `no log line contains ${k.name}'s key`);
      const parsed = c.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const name of ['alice', 'bob', 'admin']) {
        t.ok(
          parsed.some((l) => l.key_name === name && l.msg === 'request completed'),
          `the request lines of ${name} name the key`,
        );
      }
      t.ok(parsed.some((l) => l.key_name === 'alice' && l.msg === 'job started' && l.job === aliceJob), "the runner's lines name the job's key");
      t.ok(parsed.some((l) => l.key_name === 'bob' && l.msg === 'request completed' && (l.res as { statusCode: number }).statusCode === 404), 'a refused request names the key too');
    });

    t.test('a multipart job files its uploads under the caller', async (t) => {
      const { multipart } = await import('../jobs/helpers.js');
      const form = multipart([
        { name: 'kind', value: 'label-issues' },
        { name: 'labels', filename: 'labels.npy', value: lbNpy },
        { name: 'pred_probs', filename: 'pred_probs.npy', value: ppNpy },
      ]);
      const r = await c.app.inject({ method: 'POST', url: '/v1/jobs', payload: form.payload, headers: { ...form.headers, ...as('bob') } });
      t.equal(r.statusCode, 202);
      const input = await env.store.getJobInput(r.json().id);
      const ids = input?.type === 'npy' ? Object.values(input.uploads) : [];
      t.equal(ids.length, 2);
      for (const id of ids) {
        t.equal((await env.store.getUpload(id))?.owner, 'bob');
        isUnknown(t, await c.app.inject({ method: 'GET', url: `/v1/uploads/${id}`, headers: as('alice') }), 'upload', id, 'alice GET bob’s job upload');
      }
    });
  });

  t.test(`rows from before tenancy are admin-only; API_KEY alone is admin (${kind})`, async (t) => {
    const legacy = await legacyStore(kind);
    t.teardown(() => legacy.cleanup());
    const before = await legacy.store.getJob(legacy.jobId);
    t.equal(before?.owner, null, 'the migration leaves owner NULL');
    t.equal(before?.idempotencyKey, 'old-key', 'and the old Idempotency-Key as it was');

    const tenants = await setup(legacy, { apiKeys: KEYS });
    isUnknown(t, await tenants.app.inject({ method: 'GET', url: `/v1/jobs/${legacy.jobId}`, headers: as('alice') }), 'job', legacy.jobId, 'alice GET old job');
    isUnknown(t, await tenants.app.inject({ method: 'GET', url: `/v1/uploads/${legacy.uploadId}`, headers: as('alice') }), 'upload', legacy.uploadId, 'alice GET old upload');
    t.same((await listIds(tenants, 'alice')).ids, [], 'not in her list');
    t.equal((await tenants.app.inject({ method: 'GET', url: `/v1/jobs/${legacy.jobId}`, headers: as('admin') })).statusCode, 200, 'admin sees it');
    t.same((await listIds(tenants, 'admin')).ids, [legacy.jobId]);
    const aliceId = await submit(tenants, 'alice', {}, { 'idempotency-key': 'old-key' });
    t.not(aliceId, legacy.jobId, "alice's Idempotency-Key does not meet the old unowned one");
    await tenants.app.close();

    // API_KEY alone: the one key is admin and sees everything, old rows included
    const solo = await setup(legacy, { apiKey: 'solo-s3cret-KEY' });
    const soloAuth = { authorization: 'Bearer solo-s3cret-KEY' };
    t.equal((await solo.app.inject({ method: 'GET', url: '/v1/jobs' })).statusCode, 401, 'no key: 401');
    t.equal((await solo.app.inject({ method: 'GET', url: '/v1/jobs', headers: as('alice') })).statusCode, 401, 'an API_KEYS key is not configured here');
    const all = await solo.app.inject({ method: 'GET', url: '/v1/jobs?limit=100', headers: soloAuth });
    t.same((all.json().jobs as { id: string }[]).map((j) => j.id).sort(), [legacy.jobId, aliceId].sort(), 'API_KEY sees every job');
    const mine = await solo.app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'dataset-health', ...body }, headers: soloAuth });
    t.equal(mine.statusCode, 202);
    t.equal((await legacy.store.getJob(mine.json().id))?.owner, 'admin', 'API_KEY is the key named admin');
    t.notOk(solo.lines.join('\n').includes('solo-s3cret-KEY'), 'its key is not logged');
    t.ok(solo.lines.some((l) => JSON.parse(l).key_name === 'admin'), 'its name is');
    await solo.app.close();

    // no key at all: single-user mode, everything visible, new rows belong to no one
    const open = await setup(legacy, {});
    const list = await open.app.inject({ method: 'GET', url: '/v1/jobs?limit=100' });
    t.equal(list.statusCode, 200);
    t.equal(list.json().total, 3, 'every job');
    const anon = await submit(open, null);
    t.equal((await legacy.store.getJob(anon))?.owner, null, 'owned by no one');
    t.equal((await open.app.inject({ method: 'GET', url: `/v1/jobs/${aliceId}` })).statusCode, 200, "alice's job is visible in single-user mode");
    await open.app.close();
  });
}

/** A store created at schema version 2 (before tenancy) with one job and one upload, then opened (migrated). */
async function legacyStore(kind: 'sqlite' | 'postgres'): Promise<StoreEnv & { jobId: string; uploadId: string }> {
  const dir = tempDir();
  const schema = uniqueSchema();
  const jobId = randomUUID();
  const uploadId = randomUUID();
  const now = Date.now();
  const input = JSON.stringify({ type: 'json', body });
  const rowsSql = [
    [`INSERT INTO jobs (id, kind, status, idempotency_key, attempts, created_at) VALUES (?, 'label-issues', 'queued', 'old-key', 0, ?)`, [jobId, now]],
    ['INSERT INTO job_inputs (job_id, input) VALUES (?, ?)', [jobId, input]],
    [`INSERT INTO uploads (id, status, size, created_at, expires_at) VALUES (?, 'open', 0, ?, ?)`, [uploadId, now, now + 3_600_000]],
  ] as const;
  if (kind === 'sqlite') {
    const db = new Database(join(dir, 'labelcheck.db'));
    db.exec('CREATE TABLE labelcheck_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const v of [1, 2]) {
      db.exec(SQLITE_MIGRATIONS[v - 1]!);
      db.prepare('INSERT INTO labelcheck_migrations (version, applied_at) VALUES (?, ?)').run(v, now);
    }
    for (const [sql, args] of rowsSql) db.prepare(sql).run(...args);
    db.close();
  } else {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL! });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path TO ${schema}`);
      await client.query('CREATE TABLE labelcheck_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
      for (const v of [1, 2]) {
        await client.query(PG_MIGRATIONS[v - 1]!);
        await client.query('INSERT INTO labelcheck_migrations (version, applied_at) VALUES ($1, $2)', [v, now]);
      }
      for (const [sql, args] of rowsSql) {
        let n = 0;
        await client.query(sql.replace(/\?/g, () => `$${++n}`), [...args]);
      }
    } finally {
      await client.end();
    }
  }
  const cfg = resolveJobsConfig({
    dataDir: dir,
    databaseUrl: kind === 'postgres' ? process.env.TEST_DATABASE_URL! : null,
    pgSchema: kind === 'postgres' ? schema : 'public',
  });
  const store = await openJobStore(cfg);
  return {
    name: kind,
    cfg,
    store,
    jobId,
    uploadId,
    async cleanup() {
      if (store instanceof PostgresJobStore) await store.dropSchema();
      await store.close();
      const { rmSync } = await import('node:fs');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

t.test('API_KEYS at start-up: parsed, and every bad value is one line naming the entry, never a key', async (t) => {
  const c = loadConfig({ API_KEYS: ' alice:k-1 , bob:k:2 ', API_KEY: 'root' });
  t.same(c.apiKeys, [
    { name: 'alice', key: 'k-1' },
    { name: 'bob', key: 'k:2' },
  ], "blanks around entries are dropped; a key may contain ':'");
  t.same(apiKeysOf(c).map((k) => k.name), ['admin', 'alice', 'bob'], 'API_KEY is the key named admin');
  t.same(loadConfig({}).apiKeys, [], 'nothing set: no keys (single-user mode)');
  t.same(loadConfig({ API_KEYS: '' }).apiKeys, [], 'empty = unset');

  const bad: [Record<string, string>, RegExp][] = [
    [{ API_KEYS: 'alice-secret-key' }, /API_KEYS entry 1 has no ':'/],
    [{ API_KEYS: 'alice:sec1,:sec2' }, /API_KEYS entry 2 has an empty name/],
    [{ API_KEYS: 'alice:sec1,alice:sec2' }, /API_KEYS entry 2: the name alice is used twice/],
    [{ API_KEYS: 'alice:sec1,bob:sec1' }, /API_KEYS entry 2 \(bob\) has the same key as alice/],
    [{ API_KEYS: 'alice:sec1,bob:' }, /API_KEYS entry 2 \(bob\) has an empty key/],
    [{ API_KEYS: 'alice:sec1,' }, /API_KEYS entry 2 is empty/],
    [{ API_KEYS: 'al ice:sec1' }, /API_KEYS entry 1 has an invalid name "al ice"/],
    [{ API_KEYS: 'alice:se c1' }, /API_KEYS entry 1 \(alice\): the key contains whitespace/],
    [{ API_KEYS: 'admin:sec2', API_KEY: 'sec1' }, /API_KEYS entry 1 is named admin, but API_KEY already is the key named admin/],
    [{ API_KEYS: 'alice:sec1', API_KEY: 'sec1' }, /API_KEYS entry 1 \(alice\) has the same key as admin \(API_KEY\)/],
  ];
  for (const [env, re] of bad) {
    const err = (() => {
      try {
        loadConfig(env);
      } catch (e) {
        return e;
      }
      return null;
    })();
    t.ok(err instanceof ConfigError, JSON.stringify(env));
    const msg = (err as Error).message;
    t.match(msg, re);
    t.notOk(msg.includes('\n'), 'one line');
    for (const secret of ['sec1', 'sec2', 'alice-secret-key', 'se c1']) t.notOk(msg.includes(secret), `the message does not show ${secret}`);
  }
  t.match(
    (() => {
      try {
        loadConfig({ API_KEYS: 'x', PORT: 'eighty' });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })(),
    /PORT must be a number.*API_KEYS entry 1 has no ':'|API_KEYS entry 1 has no ':'.*PORT must be a number/,
    'reported together with the other bad variables',
  );
  await t.rejects(startServer({ API_KEYS: 'alice' }, { handleSignals: false, exitOnConfigError: false }), ConfigError, 'the server does not start');
});

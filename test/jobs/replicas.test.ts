/**
 * Issue 11: replicas that share only PostgreSQL (runs when TEST_DATABASE_URL is set).
 *
 * Two `labelcheck serve` processes (A, B; JOB_RUNNER=off: they run no jobs) and two
 * `labelcheck worker` processes (1, 2), each with its own DATA_DIR, on one database (a fresh
 * DATABASE_SCHEMA) with the default upload storage (bytes in PostgreSQL):
 * - an upload sent to A in parts is computed by whichever worker claims the job and its
 *   result pages are read through B, equal to B's synchronous /v1/label-issues response;
 *   no upload byte is on any process's disk, and the worker's local copy is gone after;
 * - the worker running a longer job is SIGKILLed mid-pass; the other worker takes the job
 *   over when the lease expires and finishes it with the synchronous result;
 * - /metrics on B counts the jobs and stored bytes of the shared store, and the surviving
 *   worker's METRICS_PORT reports the jobs it ran.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import t from 'tap';
import { writeNpy } from '../../src/io/npy.js';
import { executeRequest } from '../../src/service/index.js';
import { rows, synthetic } from './helpers.js';

const DB = process.env.TEST_DATABASE_URL;
const root = new URL('../../', import.meta.url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  name: string;
  proc: ChildProcess;
  dataDir: string;
  logs: Record<string, unknown>[];
  /** The HTTP (serve) or metrics (worker) base URL. */
  url: string;
  exited: Promise<void>;
}

type Issue = { index: number; given_label: number; suggested_label: number; label_quality: number };

if (!DB) {
  t.pass('needs PostgreSQL: set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run the replica test');
} else {
  t.test('two APIs and two workers sharing only PostgreSQL', { timeout: 180_000 }, async (t) => {
    const schema = `lc_replicas_${process.pid}_${randomBytes(4).toString('hex')}`;
    const procs: Proc[] = [];
    const dirs: string[] = [];
    t.teardown(async () => {
      for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      const c = new pg.Client({ connectionString: DB });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    const common = {
      DATABASE_URL: DB,
      DATABASE_SCHEMA: schema,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      WORKERS: '1',
      POOL_WARMUP: 'off',
      MAX_EVENT_LOOP_DELAY_MS: '0',
      JOB_LEASE_SECONDS: '2',
      JOB_POLL_MS: '50',
      // small row chunks: the second job runs long enough to be killed in the middle
      JOB_MAX_CHUNK_ROWS: '25',
    };

    /** Start `labelcheck <command>` and wait until its log says `ready`. */
    function start(name: string, command: 'serve' | 'worker', extra: Record<string, string>, ready: (rec: Record<string, unknown>) => boolean): Promise<Proc> {
      const dataDir = mkdtempSync(join(tmpdir(), `lc-replica-${name}-`));
      dirs.push(dataDir);
      const env: NodeJS.ProcessEnv = { ...process.env, ...common, DATA_DIR: dataDir, ...extra };
      delete env.NODE_OPTIONS; // not tap's loaders
      const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', command], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      const p: Proc = { name, proc, dataDir, logs: [], url: '', exited };
      procs.push(p);
      let stderr = '';
      proc.stderr!.on('data', (c) => (stderr += String(c)));
      return new Promise<Proc>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr}`)), 90_000);
        createInterface({ input: proc.stdout! }).on('line', (line) => {
          let rec: Record<string, unknown>;
          try {
            rec = JSON.parse(line) as Record<string, unknown>;
          } catch {
            return;
          }
          p.logs.push(rec);
          if (typeof rec.url === 'string' && /listening/.test(String(rec.msg))) p.url = rec.url;
          if (typeof rec.metrics === 'string') p.url = rec.metrics.replace(/\/metrics$/, '');
          if (ready(rec)) {
            clearTimeout(timer);
            resolve(p);
          }
        });
        void exited.then(() => reject(new Error(`${name} exited early: ${stderr}`)));
      });
    }

    const t0 = Date.now();
    const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    const served = (rec: Record<string, unknown>) => rec.msg === 'worker pool ready';
    const [a, b, w1, w2] = await Promise.all([
      start('api-a', 'serve', { PORT: '0', JOB_RUNNER: 'off' }, served),
      start('api-b', 'serve', { PORT: '0', JOB_RUNNER: 'off' }, served),
      start('worker-1', 'worker', { METRICS_PORT: '0' }, (r) => r.msg === 'job worker started'),
      start('worker-2', 'worker', { METRICS_PORT: '0' }, (r) => r.msg === 'job worker started'),
    ]);
    t.match(w1.logs.find((r) => r.msg === 'job worker started'), { store: 'postgres', uploadStorage: 'database' }, 'bytes in the database by default');
    t.comment(`four processes started: ${elapsed()}`);
    const A = a.url;
    const B = b.url;

    async function json(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
      const r = await fetch(url, init);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    }

    /** Upload `bytes` through `api` in `parts` parts (sent out of order). */
    async function upload(api: string, bytes: Uint8Array, parts: number): Promise<string> {
      const { body } = await json(`${api}/v1/uploads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"filename":"x.npy"}' });
      const id = body.id as string;
      const size = Math.ceil(bytes.length / parts);
      for (let n = parts; n >= 1; n--) {
        const r = await fetch(`${api}/v1/uploads/${id}/parts/${n}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: bytes.subarray((n - 1) * size, n * size),
        });
        if (r.status !== 200) throw new Error(`part ${n}: ${r.status} ${await r.text()}`);
      }
      const done = await json(`${api}/v1/uploads/${id}/complete`, { method: 'POST' });
      if (done.status !== 200) throw new Error(`complete: ${done.status} ${JSON.stringify(done.body)}`);
      return id;
    }

    async function waitJob(api: string, id: string, until: (j: Record<string, unknown>) => boolean, ms = 90_000): Promise<Record<string, unknown>> {
      const end = Date.now() + ms;
      let j: Record<string, unknown> = {};
      while (Date.now() < end) {
        j = (await json(`${api}/v1/jobs/${id}`)).body;
        if (until(j)) return j;
        await sleep(20);
      }
      return j;
    }

    async function allIssues(api: string, href: string): Promise<Issue[]> {
      const out: Issue[] = [];
      let url: string | null = `${href}?limit=700`;
      while (url) {
        const page = (await json(api + url)).body as { label_issues: Issue[]; next: string | null };
        out.push(...page.label_issues);
        url = page.next;
      }
      return out;
    }

    const ranBy = (jobId: string, msg: string) => [w1, w2].filter((w) => w.logs.some((r) => r.job === jobId && r.msg === msg));

    // ---- 1. upload to A, run on a worker, read through B
    const d1 = synthetic(6_000, 5, 21, 0.2);
    const pp1 = writeNpy(d1.probs, '<f8', [d1.n, d1.k]);
    const lb1 = writeNpy(d1.labels, '<i8', [d1.n]);
    const ppId = await upload(A, pp1, 3);
    const lbId = await upload(A, lb1, 2);
    t.match((await json(`${B}/v1/uploads/${ppId}`)).body, { status: 'complete', size: pp1.length, shape: [d1.n, d1.k] }, 'B sees the upload sent to A');
    const sub = await json(`${A}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'label-issues', pred_probs: { upload: ppId }, labels: { upload: lbId } }),
    });
    t.equal(sub.status, 202, JSON.stringify(sub.body));
    const job1 = await waitJob(B, sub.body.id as string, (j) => j.status === 'succeeded' || j.status === 'failed');
    t.equal(job1.status, 'succeeded', JSON.stringify(job1.error));
    const runners1 = ranBy(job1.id as string, 'job succeeded');
    t.equal(runners1.length, 1, `run by one worker (${runners1.map((w) => w.name)})`);

    const sync = await json(`${B}/v1/label-issues`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ labels: d1.labels, pred_probs: rows(d1), limit: 0 }),
    });
    t.equal(sync.status, 200);
    const { label_issues: wantIssues, ...wantRest } = sync.body as { label_issues: Issue[] };
    const result = (await json(`${B}/v1/jobs/${job1.id}/result`)).body as { label_issues: { total: number; href: string } };
    const { label_issues: link, ...rest } = result;
    t.same(rest, wantRest, 'result body through B = the synchronous response');
    t.equal(link.total, wantIssues.length);
    const pages = await allIssues(B, link.href);
    t.ok(wantIssues.length > 700, `several pages (${wantIssues.length} issues)`);
    t.same(pages, wantIssues, 'label-issue pages through B = the synchronous label_issues');
    for (const p of [a, b, w1, w2]) {
      t.notOk(existsSync(join(p.dataDir, 'uploads')), `${p.name}: no upload bytes on its disk`);
      const tmp = join(p.dataDir, 'tmp');
      t.same(existsSync(tmp) ? readdirSync(tmp) : [], [], `${p.name}: no local copy left`);
    }

    t.comment(`first job checked: ${elapsed()}`);

    // ---- 2. a worker killed in the middle of a job; the other one finishes it
    const d2 = synthetic(40_000, 10, 22, 0.2);
    const pp2 = writeNpy(d2.probs, '<f8', [d2.n, d2.k]);
    const lb2 = writeNpy(d2.labels, '<i4', [d2.n]);
    const pp2Id = await upload(B, pp2, 2);
    const lb2Id = await upload(A, lb2, 1);
    const sub2 = await json(`${A}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'label-issues', pred_probs: { upload: pp2Id }, labels: { upload: lb2Id }, filter_by: 'prune_by_noise_rate' }),
    });
    t.equal(sub2.status, 202);
    const id2 = sub2.body.id as string;
    const mid = await waitJob(B, id2, (j) => {
      const p = j.progress as { pass: number; rows_done: number } | null;
      return j.status !== 'queued' && j.status !== 'running' ? true : j.status === 'running' && p !== null && p.pass >= 1 && p.rows_done > 0;
    });
    t.equal(mid.status, 'running', 'caught in the middle of a pass');
    const [victim] = ranBy(id2, 'job started');
    t.ok(victim, 'a worker logged the start');
    const survivor = victim === w1 ? w2 : w1;
    victim!.proc.kill('SIGKILL');
    await victim!.exited;
    t.equal(victim!.proc.signalCode, 'SIGKILL', `${victim!.name} killed at pass ${(mid.progress as { pass: number }).pass}`);
    t.equal((await json(`${B}/v1/jobs/${id2}`)).body.status, 'running', 'left running with a lease that expires');

    t.comment(`worker killed: ${elapsed()}`);
    const done2 = await waitJob(B, id2, (j) => j.status === 'succeeded' || j.status === 'failed');
    t.equal(done2.status, 'succeeded', JSON.stringify(done2.error));
    t.equal(done2.attempts, 2, 'taken over once');
    t.ok(survivor.logs.some((r) => r.job === id2 && r.msg === 'job succeeded'), `${survivor.name} finished it`);
    const want2 = executeRequest('label-issues', {
      kind: 'json',
      body: { labels: d2.labels, pred_probs: rows(d2), limit: 0, filter_by: 'prune_by_noise_rate' },
    }).body as { label_issues: Issue[] };
    const { label_issues: want2Issues, ...want2Rest } = want2;
    const res2 = (await json(`${A}/v1/jobs/${id2}/result`)).body as { label_issues: { href: string } };
    const { label_issues: link2, ...rest2 } = res2;
    t.same(rest2, want2Rest, 'result after the takeover = the synchronous result');
    t.same(await allIssues(A, link2.href), want2Issues, 'label issues after the takeover, same order');

    t.comment(`second job checked: ${elapsed()}`);

    // ---- 3. metrics: the shared store seen from B, the jobs the survivor ran
    const text = await (await fetch(`${B}/metrics`)).text();
    const metric = (body: string, re: RegExp): number => Number(re.exec(body)?.[1] ?? NaN);
    t.equal(metric(text, /^labelcheck_jobs\{state="succeeded"\} (\S+)$/m), 2, 'B counts both jobs, run elsewhere');
    t.equal(metric(text, /^labelcheck_jobs\{state="running"\} (\S+)$/m), 0);
    t.equal(metric(text, /^labelcheck_uploads_in_progress (\S+)$/m), 0);
    t.equal(metric(text, /^labelcheck_upload_bytes_stored (\S+)$/m), pp1.length + lb1.length + pp2.length + lb2.length, 'bytes of the four uploads');
    const wtext = await (await fetch(`${survivor.url}/metrics`)).text();
    t.ok(
      metric(wtext, /^labelcheck_job_duration_seconds_count\{kind="label-issues",outcome="succeeded"\} (\S+)$/m) >= 1,
      `${survivor.name}'s METRICS_PORT counts the jobs it ran`,
    );
    t.match(wtext, /^labelcheck_jobs\{state="succeeded"\} 2$/m, 'and the store gauges');
  });
}

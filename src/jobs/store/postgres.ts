/**
 * PostgreSQL job store (`pg`). Same tables and semantics as the SQLite store; the queue
 * claims with `FOR UPDATE SKIP LOCKED`, so any number of processes on any number of
 * machines can run `labelcheck worker` against one database. Tables live in a schema
 * (default `public`); migrations are versioned and run under an advisory lock, so
 * concurrent start-ups are safe.
 */
import pg from 'pg';
import { UPLOAD_STORAGE_MIGRATION } from '../blobs/postgres.js';
import { toStats } from './sql.js';
import type { StoreStats } from './types.js';
import {
  JOB_COLUMNS,
  numbered as $,
  parseInput,
  qualityIn,
  OWNER_MIGRATION,
  REVIEWS_MIGRATION,
  SQL,
  storedIdempotencyKey,
  toJob,
  toLabelIssueRow,
  toReview,
  toUpload,
  UPLOAD_COLUMNS,
  type JobRow,
  type LabelIssueDbRow,
  type ReviewDbRow,
  type UploadRow,
} from './sql.js';
import type {
  JobInput,
  JobProgress,
  JobRecord,
  JobStore,
  LabelIssueBatch,
  LabelIssueRow,
  ListJobsQuery,
  NewJob,
  Problem,
  PurgeResult,
  NewUpload,
  ReviewRecord,
  UploadPart,
  UploadRecord,
} from './types.js';

/** Schema versions in order (exported for the upgrade tests). */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     seq BIGSERIAL UNIQUE,
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     status TEXT NOT NULL,
     progress TEXT,
     error TEXT,
     idempotency_key TEXT UNIQUE,
     request_hash TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     lease_owner TEXT,
     lease_expires_at BIGINT,
     created_at BIGINT NOT NULL,
     started_at BIGINT,
     finished_at BIGINT,
     expires_at BIGINT,
     label_issues_count BIGINT
   );
   CREATE INDEX jobs_queue ON jobs (status, created_at);
   CREATE INDEX jobs_expiry ON jobs (expires_at);
   CREATE TABLE job_inputs (job_id TEXT PRIMARY KEY, input TEXT NOT NULL);
   CREATE TABLE job_results (job_id TEXT PRIMARY KEY, body TEXT NOT NULL);
   CREATE TABLE job_label_issues (
     job_id TEXT NOT NULL, pos BIGINT NOT NULL, idx BIGINT NOT NULL, given INTEGER NOT NULL,
     suggested INTEGER NOT NULL, quality DOUBLE PRECISION,
     PRIMARY KEY (job_id, pos)
   );
   CREATE TABLE uploads (
     id TEXT PRIMARY KEY, status TEXT NOT NULL, filename TEXT, owner_job_id TEXT,
     size BIGINT NOT NULL DEFAULT 0, dtype TEXT, shape TEXT,
     created_at BIGINT NOT NULL, completed_at BIGINT, expires_at BIGINT NOT NULL
   );
   CREATE INDEX uploads_owner ON uploads (owner_job_id);
   CREATE TABLE upload_parts (
     upload_id TEXT NOT NULL, n INTEGER NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL,
     PRIMARY KEY (upload_id, n)
   );`,
  // 2: reviewers' verdicts (review.md §3)
  REVIEWS_MIGRATION,
  // 3: tenancy (the owning key's name on jobs and uploads)
  OWNER_MIGRATION,
  // 4: upload bytes in the database (UPLOAD_STORAGE=database, src/jobs/blobs/postgres.ts)
  UPLOAD_STORAGE_MIGRATION,
];

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema holding the tables (created if missing). Default `public`. */
  schema?: string;
  poolSize?: number;
}

function quoteIdent(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}

type Queryable = pg.Pool | pg.PoolClient;

export class PostgresJobStore implements JobStore {
  readonly kind = 'postgres' as const;
  readonly schema: string;
  private pool: pg.Pool;

  constructor(opts: PostgresStoreOptions) {
    this.schema = opts.schema ?? 'public';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(this.schema)) {
      throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(this.schema)}`);
    }
    this.pool = new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.poolSize ?? 4,
      options: `-c search_path=${this.schema}`,
    });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  }

  async init(): Promise<void> {
    await this.tx(async (c) => {
      // One migrator at a time across all processes (key: hash of the schema name).
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['labelcheck_migrations:' + this.schema]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${quoteIdent(this.schema)}.labelcheck_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
      );
      const r = await c.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${quoteIdent(this.schema)}.labelcheck_migrations`);
      const have = r.rows[0]?.v ?? 0;
      for (let v = have + 1; v <= MIGRATIONS.length; v++) {
        await c.query(`SET LOCAL search_path TO ${quoteIdent(this.schema)}`);
        await c.query(MIGRATIONS[v - 1]!);
        await c.query(`INSERT INTO ${quoteIdent(this.schema)}.labelcheck_migrations (version, applied_at) VALUES ($1, $2)`, [
          v,
          Date.now(),
        ]);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async jobById(q: Queryable, id: string): Promise<JobRecord | null> {
    const r = await q.query<JobRow>($(SQL.jobById), [id]);
    return r.rows[0] ? toJob(r.rows[0]) : null;
  }

  async createJob(job: NewJob): Promise<{ job: JobRecord; created: boolean }> {
    const owner = job.owner ?? null;
    const key = storedIdempotencyKey(owner, job.idempotencyKey);
    return this.tx(async (c) => {
      const ins = await c.query<JobRow>($(`${SQL.insertJob} ON CONFLICT (idempotency_key) DO NOTHING RETURNING ${JOB_COLUMNS}`), [
        job.id,
        job.kind,
        owner,
        key,
        job.requestHash,
        job.now,
      ]);
      if (ins.rows[0]) {
        await c.query($(SQL.insertJobInput), [job.id, JSON.stringify(job.input)]);
        return { job: toJob(ins.rows[0]), created: true };
      }
      const r = await c.query<JobRow>($(SQL.jobByIdempotencyKey), [key]);
      return { job: toJob(r.rows[0]!), created: false };
    });
  }

  async getJob(id: string): Promise<JobRecord | null> {
    return this.jobById(this.pool, id);
  }

  async getJobInput(id: string): Promise<JobInput | null> {
    const r = await this.pool.query<{ input: string }>($(SQL.jobInput), [id]);
    return r.rows[0] ? parseInput(r.rows[0].input) : null;
  }

  async listJobs(q: ListJobsQuery): Promise<{ jobs: JobRecord[]; total: number }> {
    const conds: string[] = [];
    const args: unknown[] = [];
    if (q.status) {
      args.push(q.status);
      conds.push(`status = $${args.length}`);
    }
    if (q.owner !== undefined) {
      args.push(q.owner);
      conds.push(`owner = $${args.length}`);
    }
    const where = conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '';
    const total = await this.pool.query<{ c: string }>(`SELECT COUNT(*) AS c FROM jobs ${where}`, args);
    const n = args.length;
    const rows = await this.pool.query<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM jobs ${where} ORDER BY created_at DESC, seq DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...args, q.limit, q.offset],
    );
    return { jobs: rows.rows.map(toJob), total: Number(total.rows[0]!.c) };
  }

  async claimNext(owner: string, now: number, leaseMs: number): Promise<JobRecord | null> {
    const r = await this.pool.query<JobRow>(
      `UPDATE jobs SET status = 'running', lease_owner = $1, lease_expires_at = $2, attempts = attempts + 1,
         started_at = COALESCE(started_at, $3)
       WHERE id = (
         SELECT id FROM jobs
         WHERE status = 'queued' OR (status = 'running' AND lease_expires_at < $3)
         ORDER BY created_at, seq
         FOR UPDATE SKIP LOCKED
         LIMIT 1)
       RETURNING ${JOB_COLUMNS}`,
      [owner, now + leaseMs, now],
    );
    return r.rows[0] ? toJob(r.rows[0]) : null;
  }

  async heartbeat(id: string, owner: string, now: number, leaseMs: number, progress: JobProgress | null): Promise<boolean> {
    const r = await this.pool.query($(SQL.heartbeat), [now + leaseMs, progress === null ? null : JSON.stringify(progress), id, owner]);
    return r.rowCount === 1;
  }

  /** Lock the job row if we still own it (serialises against cancel/delete). */
  private async lockOwned(c: pg.PoolClient, id: string, owner: string): Promise<boolean> {
    const r = await c.query(`SELECT 1 FROM jobs WHERE id = $1 AND lease_owner = $2 AND status = 'running' FOR UPDATE`, [id, owner]);
    return r.rowCount === 1;
  }

  async clearLabelIssues(id: string, owner: string): Promise<boolean> {
    return this.tx(async (c) => {
      if (!(await this.lockOwned(c, id, owner))) return false;
      await c.query($(SQL.deleteLabelIssues), [id]);
      return true;
    });
  }

  async appendLabelIssues(id: string, owner: string, start: number, b: LabelIssueBatch): Promise<boolean> {
    const n = b.index.length;
    const pos = new Array<number>(n);
    const idx = new Array<number>(n);
    const given = new Array<number>(n);
    const sugg = new Array<number>(n);
    const qual = new Array<number | null>(n);
    for (let i = 0; i < n; i++) {
      pos[i] = start + i;
      idx[i] = b.index[i]!;
      given[i] = b.given[i]!;
      sugg[i] = b.suggested[i]!;
      qual[i] = qualityIn(b.quality[i]!);
    }
    return this.tx(async (c) => {
      if (!(await this.lockOwned(c, id, owner))) return false;
      await c.query(
        `INSERT INTO job_label_issues (job_id, pos, idx, given, suggested, quality)
         SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::int[], $6::float8[])
         ON CONFLICT (job_id, pos) DO UPDATE SET idx = EXCLUDED.idx, given = EXCLUDED.given,
           suggested = EXCLUDED.suggested, quality = EXCLUDED.quality`,
        [id, pos, idx, given, sugg, qual],
      );
      return true;
    });
  }

  async complete(id: string, owner: string, now: number, ttlMs: number, body: unknown, count: number | null): Promise<boolean> {
    return this.tx(async (c) => {
      if (!(await this.lockOwned(c, id, owner))) return false;
      await c.query(
        `INSERT INTO job_results (job_id, body) VALUES ($1, $2) ON CONFLICT (job_id) DO UPDATE SET body = EXCLUDED.body`,
        [id, JSON.stringify(body)],
      );
      await c.query($(SQL.complete), [now, now + ttlMs, count, id]);
      return true;
    });
  }

  async fail(id: string, owner: string, now: number, ttlMs: number, error: Problem): Promise<boolean> {
    return this.tx(async (c) => {
      if (!(await this.lockOwned(c, id, owner))) return false;
      await c.query($(SQL.deleteLabelIssues), [id]);
      await c.query($(SQL.fail), [now, now + ttlMs, JSON.stringify(error), id]);
      return true;
    });
  }

  async release(id: string, owner: string): Promise<boolean> {
    const r = await this.pool.query($(SQL.release('GREATEST')), [id, owner]);
    return r.rowCount === 1;
  }

  async cancel(id: string, now: number, ttlMs: number): Promise<JobRecord | null> {
    return this.tx(async (c) => {
      await c.query($(SQL.cancel), [now, now + ttlMs, id]);
      return this.jobById(c, id);
    });
  }

  private async deleteJobRows(c: pg.PoolClient, id: string): Promise<{ deleted: boolean; ownedUploads: string[] }> {
    const owned = (await c.query<{ id: string }>($(SQL.ownedUploads), [id])).rows.map((r) => r.id);
    if (owned.length > 0) {
      await c.query('DELETE FROM upload_parts WHERE upload_id = ANY($1)', [owned]);
      await c.query('DELETE FROM uploads WHERE id = ANY($1)', [owned]);
    }
    let deleted = 0;
    for (const stmt of SQL.deleteJobRows) deleted = (await c.query($(stmt), [id])).rowCount ?? 0;
    return { deleted: deleted === 1, ownedUploads: owned };
  }

  async deleteJob(id: string): Promise<{ deleted: boolean; ownedUploads: string[] }> {
    return this.tx((c) => this.deleteJobRows(c, id));
  }

  async getResult(id: string): Promise<unknown | null> {
    const r = await this.pool.query<{ body: string }>($(SQL.result), [id]);
    return r.rows[0] ? (JSON.parse(r.rows[0].body) as unknown) : null;
  }

  async getLabelIssues(id: string, offset: number, limit: number): Promise<LabelIssueRow[]> {
    const r = await this.pool.query<LabelIssueDbRow>($(SQL.labelIssuesPage), [id, offset, offset + limit]);
    return r.rows.map(toLabelIssueRow);
  }

  async createUpload(u: NewUpload): Promise<UploadRecord> {
    const r = await this.pool.query<UploadRow>($(`${SQL.insertUpload} RETURNING ${UPLOAD_COLUMNS}`), [
      u.id,
      u.owner ?? null,
      u.filename,
      u.ownerJobId,
      u.now,
      u.expiresAt,
    ]);
    return toUpload(r.rows[0]!);
  }

  async getUpload(id: string): Promise<UploadRecord | null> {
    const r = await this.pool.query<UploadRow>($(SQL.uploadById), [id]);
    return r.rows[0] ? toUpload(r.rows[0]) : null;
  }

  async putUploadPart(id: string, part: UploadPart): Promise<void> {
    await this.tx(async (c) => {
      await c.query(
        `INSERT INTO upload_parts (upload_id, n, size, sha256) VALUES ($1, $2, $3, $4)
         ON CONFLICT (upload_id, n) DO UPDATE SET size = EXCLUDED.size, sha256 = EXCLUDED.sha256`,
        [id, part.n, part.size, part.sha256],
      );
      await c.query($(SQL.updateUploadSize), [id, id]);
    });
  }

  async listUploadParts(id: string): Promise<UploadPart[]> {
    const r = await this.pool.query<{ n: number; size: string; sha256: string }>($(SQL.listUploadParts), [id]);
    return r.rows.map((x) => ({ n: x.n, size: Number(x.size), sha256: x.sha256 }));
  }

  async completeUpload(
    id: string,
    meta: { size: number; dtype: string | null; shape: number[]; now: number },
  ): Promise<UploadRecord | null> {
    await this.tx(async (c) => {
      await c.query($(SQL.deleteUploadParts), [id]);
      await c.query($(SQL.completeUpload), [meta.size, meta.dtype, JSON.stringify(meta.shape), meta.now, id]);
    });
    return this.getUpload(id);
  }

  private async deleteUploadRows(c: pg.PoolClient, id: string): Promise<boolean> {
    await c.query($(SQL.deleteUploadParts), [id]);
    return (await c.query($(SQL.deleteUpload), [id])).rowCount === 1;
  }

  async deleteUpload(id: string): Promise<boolean> {
    return this.tx((c) => this.deleteUploadRows(c, id));
  }

  async touchUpload(id: string, expiresAt: number): Promise<void> {
    await this.pool.query($(SQL.touchUpload('GREATEST')), [expiresAt, id]);
  }

  async uploadBytes(): Promise<number> {
    const r = await this.pool.query<{ s: string }>(SQL.uploadBytes);
    return Number(r.rows[0]!.s);
  }

  async stats(): Promise<StoreStats> {
    const jobs = await this.pool.query<{ status: string; c: string }>(SQL.jobsByStatus);
    const uploads = await this.pool.query<{ status: string; c: string; s: string }>(SQL.uploadsByStatus);
    return toStats(jobs.rows, uploads.rows);
  }

  async putReview(jobId: string, r: ReviewRecord): Promise<void> {
    await this.pool.query($(SQL.putReview), [jobId, r.index, r.reviewer, r.label, r.updatedAt]);
  }

  async deleteReview(jobId: string, index: number, reviewer: string): Promise<boolean> {
    return ((await this.pool.query($(SQL.deleteReview), [jobId, index, reviewer])).rowCount ?? 0) === 1;
  }

  async listReviews(jobId: string, reviewer?: string): Promise<ReviewRecord[]> {
    const r =
      reviewer === undefined
        ? await this.pool.query<ReviewDbRow>($(SQL.listReviews), [jobId])
        : await this.pool.query<ReviewDbRow>($(SQL.listReviewerReviews), [jobId, reviewer]);
    return r.rows.map(toReview);
  }

  async purgeExpired(now: number): Promise<PurgeResult> {
    return this.tx(async (c) => {
      const jobs = await c.query<{ id: string }>($(`${SQL.expiredJobs} FOR UPDATE SKIP LOCKED`), [now]);
      const jobIds: string[] = [];
      const uploadIds: string[] = [];
      for (const { id } of jobs.rows) {
        const r = await this.deleteJobRows(c, id);
        jobIds.push(id);
        uploadIds.push(...r.ownedUploads);
      }
      const ups = await c.query<{ id: string }>($(`${SQL.expiredUploads} FOR UPDATE SKIP LOCKED`), [now]);
      for (const { id } of ups.rows) {
        await this.deleteUploadRows(c, id);
        uploadIds.push(id);
      }
      return { jobIds, uploadIds };
    });
  }

  /** Drop the whole schema (tests use a unique schema per run). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(this.schema)} CASCADE`);
  }
}

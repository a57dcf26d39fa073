/**
 * SQLite job store (better-sqlite3, WAL). One file, DATA_DIR/labelcheck.db by default;
 * several threads/processes on one machine may open it (writes are serialised by SQLite,
 * waits up to busy_timeout).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { toStats } from './sql.js';
import type { StoreStats } from './types.js';
import {
  JOB_COLUMNS,
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
  // 1: initial schema
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     status TEXT NOT NULL,
     progress TEXT,
     error TEXT,
     idempotency_key TEXT UNIQUE,
     request_hash TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     lease_owner TEXT,
     lease_expires_at INTEGER,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     finished_at INTEGER,
     expires_at INTEGER,
     label_issues_count INTEGER
   );
   CREATE INDEX jobs_queue ON jobs (status, created_at);
   CREATE INDEX jobs_expiry ON jobs (expires_at);
   CREATE TABLE job_inputs (job_id TEXT PRIMARY KEY, input TEXT NOT NULL);
   CREATE TABLE job_results (job_id TEXT PRIMARY KEY, body TEXT NOT NULL);
   CREATE TABLE job_label_issues (
     job_id TEXT NOT NULL, pos INTEGER NOT NULL, idx INTEGER NOT NULL, given INTEGER NOT NULL,
     suggested INTEGER NOT NULL, quality REAL,
     PRIMARY KEY (job_id, pos)
   ) WITHOUT ROWID;
   CREATE TABLE uploads (
     id TEXT PRIMARY KEY, status TEXT NOT NULL, filename TEXT, owner_job_id TEXT,
     size INTEGER NOT NULL DEFAULT 0, dtype TEXT, shape TEXT,
     created_at INTEGER NOT NULL, completed_at INTEGER, expires_at INTEGER NOT NULL
   );
   CREATE INDEX uploads_owner ON uploads (owner_job_id);
   CREATE TABLE upload_parts (
     upload_id TEXT NOT NULL, n INTEGER NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
     PRIMARY KEY (upload_id, n)
   ) WITHOUT ROWID;`,
  // 2: reviewers' verdicts (review.md §3)
  REVIEWS_MIGRATION,
  // 3: tenancy (the owning key's name on jobs and uploads)
  OWNER_MIGRATION,
];

export interface SqliteStoreOptions {
  /** Database file path (`:memory:` is not useful: workers need the same file). */
  file: string;
  busyTimeoutMs?: number;
}

export class SqliteJobStore implements JobStore {
  readonly kind = 'sqlite' as const;
  private db: Database.Database;

  constructor(opts: SqliteStoreOptions) {
    mkdirSync(dirname(opts.file), { recursive: true });
    this.db = new Database(opts.file);
    this.db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 15000}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = OFF');
  }

  async init(): Promise<void> {
    const db = this.db;
    db.transaction(() => {
      db.exec('CREATE TABLE IF NOT EXISTS labelcheck_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
      const row = db.prepare('SELECT MAX(version) AS v FROM labelcheck_migrations').get() as { v: number | null };
      const have = row.v ?? 0;
      for (let v = have + 1; v <= MIGRATIONS.length; v++) {
        db.exec(MIGRATIONS[v - 1]!);
        db.prepare('INSERT INTO labelcheck_migrations (version, applied_at) VALUES (?, ?)').run(v, Date.now());
      }
    }).immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private jobById(id: string): JobRecord | null {
    const r = this.db.prepare(SQL.jobById).get(id) as JobRow | undefined;
    return r ? toJob(r) : null;
  }

  async createJob(job: NewJob): Promise<{ job: JobRecord; created: boolean }> {
    const db = this.db;
    return db
      .transaction(() => {
        const owner = job.owner ?? null;
        const key = storedIdempotencyKey(owner, job.idempotencyKey);
        if (key !== null) {
          const r = db.prepare(SQL.jobByIdempotencyKey).get(key) as JobRow | undefined;
          if (r) return { job: toJob(r), created: false };
        }
        db.prepare(SQL.insertJob).run(job.id, job.kind, owner, key, job.requestHash, job.now);
        db.prepare(SQL.insertJobInput).run(job.id, JSON.stringify(job.input));
        return { job: this.jobById(job.id)!, created: true };
      })
      .immediate();
  }

  async getJob(id: string): Promise<JobRecord | null> {
    return this.jobById(id);
  }

  async getJobInput(id: string): Promise<JobInput | null> {
    const r = this.db.prepare(SQL.jobInput).get(id) as { input: string } | undefined;
    return r ? parseInput(r.input) : null;
  }

  async listJobs(q: ListJobsQuery): Promise<{ jobs: JobRecord[]; total: number }> {
    const conds: string[] = [];
    const args: unknown[] = [];
    if (q.status) {
      conds.push('status = ?');
      args.push(q.status);
    }
    if (q.owner !== undefined) {
      conds.push('owner = ?');
      args.push(q.owner);
    }
    const where = conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS c FROM jobs ${where}`).get(...args) as { c: number }).c;
    const rows = this.db
      .prepare(`SELECT ${JOB_COLUMNS} FROM jobs ${where} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`)
      .all(...args, q.limit, q.offset) as JobRow[];
    return { jobs: rows.map(toJob), total };
  }

  async claimNext(owner: string, now: number, leaseMs: number): Promise<JobRecord | null> {
    const db = this.db;
    return db
      .transaction(() => {
        const r = db
          .prepare(
            `SELECT id FROM jobs
             WHERE status = 'queued' OR (status = 'running' AND lease_expires_at < ?)
             ORDER BY created_at, rowid LIMIT 1`,
          )
          .get(now) as { id: string } | undefined;
        if (!r) return null;
        db.prepare(
          `UPDATE jobs SET status = 'running', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1,
             started_at = COALESCE(started_at, ?)
           WHERE id = ?`,
        ).run(owner, now + leaseMs, now, r.id);
        return this.jobById(r.id);
      })
      .immediate();
  }

  async heartbeat(id: string, owner: string, now: number, leaseMs: number, progress: JobProgress | null): Promise<boolean> {
    const info = this.db.prepare(SQL.heartbeat).run(now + leaseMs, progress === null ? null : JSON.stringify(progress), id, owner);
    return info.changes === 1;
  }

  private owns(id: string, owner: string): boolean {
    return (
      this.db.prepare(`SELECT 1 AS ok FROM jobs WHERE id = ? AND lease_owner = ? AND status = 'running'`).get(id, owner) !==
      undefined
    );
  }

  async clearLabelIssues(id: string, owner: string): Promise<boolean> {
    const db = this.db;
    return db
      .transaction(() => {
        if (!this.owns(id, owner)) return false;
        db.prepare(SQL.deleteLabelIssues).run(id);
        return true;
      })
      .immediate();
  }

  async appendLabelIssues(id: string, owner: string, start: number, b: LabelIssueBatch): Promise<boolean> {
    const db = this.db;
    const ins = db.prepare(
      'INSERT OR REPLACE INTO job_label_issues (job_id, pos, idx, given, suggested, quality) VALUES (?, ?, ?, ?, ?, ?)',
    );
    return db
      .transaction(() => {
        if (!this.owns(id, owner)) return false;
        for (let i = 0; i < b.index.length; i++) {
          ins.run(id, start + i, b.index[i], b.given[i], b.suggested[i], qualityIn(b.quality[i]!));
        }
        return true;
      })
      .immediate();
  }

  async complete(id: string, owner: string, now: number, ttlMs: number, body: unknown, count: number | null): Promise<boolean> {
    const db = this.db;
    return db
      .transaction(() => {
        if (!this.owns(id, owner)) return false;
        db.prepare('INSERT OR REPLACE INTO job_results (job_id, body) VALUES (?, ?)').run(id, JSON.stringify(body));
        db.prepare(SQL.complete).run(now, now + ttlMs, count, id);
        return true;
      })
      .immediate();
  }

  async fail(id: string, owner: string, now: number, ttlMs: number, error: Problem): Promise<boolean> {
    const db = this.db;
    return db
      .transaction(() => {
        if (!this.owns(id, owner)) return false;
        db.prepare(SQL.deleteLabelIssues).run(id);
        db.prepare(SQL.fail).run(now, now + ttlMs, JSON.stringify(error), id);
        return true;
      })
      .immediate();
  }

  async release(id: string, owner: string): Promise<boolean> {
    const info = this.db.prepare(SQL.release('MAX')).run(id, owner);
    return info.changes === 1;
  }

  async cancel(id: string, now: number, ttlMs: number): Promise<JobRecord | null> {
    const db = this.db;
    return db
      .transaction(() => {
        db.prepare(SQL.cancel).run(now, now + ttlMs, id);
        return this.jobById(id);
      })
      .immediate();
  }

  /** A job's rows and the uploads it owns (inside a transaction). */
  private deleteJobRows(id: string): { deleted: boolean; ownedUploads: string[] } {
    const db = this.db;
    const owned = (db.prepare(SQL.ownedUploads).all(id) as { id: string }[]).map((r) => r.id);
    for (const u of owned) this.deleteUploadRows(u);
    let changes = 0;
    for (const stmt of SQL.deleteJobRows) changes = db.prepare(stmt).run(id).changes;
    return { deleted: changes === 1, ownedUploads: owned };
  }

  async deleteJob(id: string): Promise<{ deleted: boolean; ownedUploads: string[] }> {
    return this.db.transaction(() => this.deleteJobRows(id)).immediate();
  }

  async getResult(id: string): Promise<unknown | null> {
    const r = this.db.prepare(SQL.result).get(id) as { body: string } | undefined;
    return r ? (JSON.parse(r.body) as unknown) : null;
  }

  async getLabelIssues(id: string, offset: number, limit: number): Promise<LabelIssueRow[]> {
    const rows = this.db.prepare(SQL.labelIssuesPage).all(id, offset, offset + limit) as LabelIssueDbRow[];
    return rows.map(toLabelIssueRow);
  }

  async createUpload(u: NewUpload): Promise<UploadRecord> {
    this.db.prepare(SQL.insertUpload).run(u.id, u.owner ?? null, u.filename, u.ownerJobId, u.now, u.expiresAt);
    return (await this.getUpload(u.id))!;
  }

  async getUpload(id: string): Promise<UploadRecord | null> {
    const r = this.db.prepare(SQL.uploadById).get(id) as UploadRow | undefined;
    return r ? toUpload(r) : null;
  }

  async putUploadPart(id: string, part: UploadPart): Promise<void> {
    const db = this.db;
    db.transaction(() => {
      db.prepare('INSERT OR REPLACE INTO upload_parts (upload_id, n, size, sha256) VALUES (?, ?, ?, ?)').run(
        id,
        part.n,
        part.size,
        part.sha256,
      );
      db.prepare(SQL.updateUploadSize).run(id, id);
    }).immediate();
  }

  async listUploadParts(id: string): Promise<UploadPart[]> {
    return this.db.prepare(SQL.listUploadParts).all(id) as UploadPart[];
  }

  async completeUpload(
    id: string,
    meta: { size: number; dtype: string | null; shape: number[]; now: number },
  ): Promise<UploadRecord | null> {
    const db = this.db;
    db.transaction(() => {
      db.prepare(SQL.deleteUploadParts).run(id);
      db.prepare(SQL.completeUpload).run(meta.size, meta.dtype, JSON.stringify(meta.shape), meta.now, id);
    }).immediate();
    return this.getUpload(id);
  }

  private deleteUploadRows(id: string): boolean {
    this.db.prepare(SQL.deleteUploadParts).run(id);
    return this.db.prepare(SQL.deleteUpload).run(id).changes === 1;
  }

  async deleteUpload(id: string): Promise<boolean> {
    return this.db.transaction(() => this.deleteUploadRows(id)).immediate();
  }

  async uploadBytes(): Promise<number> {
    const r = this.db.prepare(SQL.uploadBytes).get() as { s: number };
    return Number(r.s);
  }

  async stats(): Promise<StoreStats> {
    const jobs = this.db.prepare(SQL.jobsByStatus).all() as { status: string; c: number }[];
    const uploads = this.db.prepare(SQL.uploadsByStatus).all() as { status: string; c: number; s: number }[];
    return toStats(jobs, uploads);
  }

  async putReview(jobId: string, r: ReviewRecord): Promise<void> {
    this.db.prepare(SQL.putReview).run(jobId, r.index, r.reviewer, r.label, r.updatedAt);
  }

  async deleteReview(jobId: string, index: number, reviewer: string): Promise<boolean> {
    return this.db.prepare(SQL.deleteReview).run(jobId, index, reviewer).changes === 1;
  }

  async listReviews(jobId: string, reviewer?: string): Promise<ReviewRecord[]> {
    const rows = (
      reviewer === undefined ? this.db.prepare(SQL.listReviews).all(jobId) : this.db.prepare(SQL.listReviewerReviews).all(jobId, reviewer)
    ) as ReviewDbRow[];
    return rows.map(toReview);
  }

  async purgeExpired(now: number): Promise<PurgeResult> {
    const db = this.db;
    return db
      .transaction(() => {
        const jobIds = (db.prepare(SQL.expiredJobs).all(now) as { id: string }[]).map((r) => r.id);
        const uploadIds: string[] = [];
        for (const id of jobIds) uploadIds.push(...this.deleteJobRows(id).ownedUploads);
        const expiredUploads = (db.prepare(SQL.expiredUploads).all(now) as { id: string }[]).map((r) => r.id);
        for (const u of expiredUploads) {
          this.deleteUploadRows(u);
          uploadIds.push(u);
        }
        return { jobIds, uploadIds };
      })
      .immediate();
  }

  /** Extend an upload's expiry (a job now refers to it). */
  async touchUpload(id: string, expiresAt: number): Promise<void> {
    this.db.prepare(SQL.touchUpload('MAX')).run(expiresAt, id);
  }
}

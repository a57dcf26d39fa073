/**
 * Executes queued jobs: claim with a lease → run (heartbeats renew the lease, report
 * progress, and notice a cancel) → store the result (label issues in batches, then the
 * body and the status flip) or the failure as a problem. A worker that dies leaves its
 * job `running` with a lease that expires; the next claim takes it over (attempts + 1), up
 * to maxAttempts. Also runs retention (JOB_TTL_HOURS) periodically.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isInputError } from '../core/errors.js';
import type { JobsConfig } from './config.js';
import { ttlMs } from './config.js';
import { executeJob, JobAbortedError, type JobOutput } from './executor.js';
import { diskUsage } from './files.js';
import { removeUploadBytes, sweepUploads } from './blobs/index.js';
import { errorSpecOf, inputErrorProblem, makeProblem, type Problem } from '../service/problem.js';
import type { JobProgress, JobRecord, JobStore } from './store/types.js';
import type { JobEnd } from './metrics.js';

export interface RunnerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silent: RunnerLogger = { info() {}, warn() {}, error() {} };

/** A job's log lines carry the name of the key that submitted it (never the key). */
function withKeyName(log: RunnerLogger, name: string): RunnerLogger {
  return {
    info: (o, m) => log.info({ key_name: name, ...o }, m),
    warn: (o, m) => log.warn({ key_name: name, ...o }, m),
    error: (o, m) => log.error({ key_name: name, ...o }, m),
  };
}

export interface RunnerOptions {
  /** Lease owner id (default host:pid:random). */
  owner?: string;
  log?: RunnerLogger;
  /** How often retention runs (ms, default 60 s). */
  purgeEveryMs?: number;
  /** Rows per label-issue insert batch. */
  batchRows?: number;
  /** Called when a job this runner ran succeeded or failed (metrics, src/jobs/metrics.ts). */
  onJobEnd?: (e: JobEnd) => void;
}

/** The problem stored for a failed job (the same bodies as the HTTP routes answer). */
export function problemFromJobError(err: unknown): Problem {
  if (isInputError(err)) return inputErrorProblem(err);
  const e = err as { code?: string; message?: string; problem?: Problem };
  if (e && typeof e === 'object' && e.problem) return e.problem;
  const spec = errorSpecOf(err);
  if (spec) return makeProblem(spec.status, e.message ?? spec.message, { slug: spec.slug });
  if (e?.code === 'ENOSPC' || e?.code === 'SQLITE_FULL' || e?.code === '53100') {
    return makeProblem(
      507,
      `The job's data volume is full (${e.code}); the partial result was discarded. Free space or delete finished jobs and uploads, then resubmit.`,
      { slug: 'insufficient-storage' },
    );
  }
  return makeProblem(500, `The job failed unexpectedly: ${e?.message ?? String(err)}`, { slug: 'job-failed' });
}

/** An error that carries the problem to store as the job's failure. */
export class JobProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

/** Approximate bytes a result takes in the store. */
function resultBytes(out: JobOutput): number {
  return JSON.stringify(out.body).length + (out.labelIssues ? out.labelIssues.index.length * 48 : 0);
}

export class JobRunner {
  readonly owner: string;
  private log: RunnerLogger;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private lastPurge = 0;

  constructor(
    readonly store: JobStore,
    readonly cfg: JobsConfig,
    private opts: RunnerOptions = {},
  ) {
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.log = opts.log ?? silent;
  }

  /** Claim and run one job. Returns false when the queue was empty. */
  async runOnce(): Promise<boolean> {
    await this.maybePurge();
    const job = await this.store.claimNext(this.owner, Date.now(), this.cfg.leaseMs);
    if (!job) return false;
    await this.run(job);
    return true;
  }

  private async maybePurge(): Promise<void> {
    const every = this.opts.purgeEveryMs ?? 60_000;
    const now = Date.now();
    if (now - this.lastPurge < every) return;
    this.lastPurge = now;
    try {
      const r = await this.store.purgeExpired(now);
      await removeUploadBytes(this.cfg, r.uploadIds);
      if (r.jobIds.length + r.uploadIds.length > 0) {
        this.log.info({ jobs: r.jobIds.length, uploads: r.uploadIds.length }, 'expired jobs and uploads removed');
      }
      const swept = await sweepUploads(this.store, this.cfg);
      if (swept.scratch + swept.orphans > 0) this.log.info(swept, 'leftover local copies and orphaned upload bytes removed');
    } catch (err) {
      this.log.error({ err }, 'retention failed');
    }
  }

  private async run(job: JobRecord): Promise<void> {
    const ttl = ttlMs(this.cfg);
    const log = job.owner === null ? this.log : withKeyName(this.log, job.owner);
    if (job.attempts > this.cfg.maxAttempts) {
      await this.store.fail(job.id, this.owner, Date.now(), ttl, {
        type: 'urn:labelcheck:problem:job-failed',
        title: 'Job failed',
        status: 500,
        detail: `The job was started ${job.attempts - 1} times and its worker stopped each time (crash or kill); giving up (JOB_MAX_ATTEMPTS = ${this.cfg.maxAttempts}).`,
      });
      log.error({ job: job.id, attempts: job.attempts }, 'job abandoned after repeated worker deaths');
      this.ended({ kind: job.kind, outcome: 'failed', seconds: null });
      return;
    }
    log.info({ job: job.id, kind: job.kind, attempt: job.attempts }, 'job started');
    const started = Date.now();
    const state = { abort: false };
    let lastBeat = 0;
    let lastPass = -1;
    let last: JobProgress = { pass: 0, passes: 1, rows_done: 0, rows_total: 0 };
    const beat = async (progress: JobProgress | null, leaseMs = this.cfg.leaseMs): Promise<void> => {
      const ok = await this.store.heartbeat(job.id, this.owner, Date.now(), Math.ceil(leaseMs), progress);
      if (!ok) state.abort = true;
    };
    try {
      const input = await this.store.getJobInput(job.id);
      if (!input) throw new Error(`job ${job.id} has no stored input`);
      await beat(last);
      const out = await executeJob(job.kind, input, {
        cfg: this.cfg,
        jobId: job.id,
        checkpoint: async (p) => {
          const now = Date.now();
          last = p;
          if (p.pass !== lastPass || p.rows_done === p.rows_total || now - lastBeat >= Math.min(1000, this.cfg.leaseMs / 3)) {
            lastPass = p.pass;
            lastBeat = now;
            await beat(p);
          }
          if (state.abort || this.stopping) throw new JobAbortedError(state.abort ? 'cancelled or taken over' : 'worker stopping');
        },
        beforeBlocking: async (ms) => {
          await beat(null, this.cfg.leaseMs + ms);
          if (state.abort) throw new JobAbortedError('cancelled or taken over');
        },
      });
      // Every pass is done: a finished job reads "pass 4/4", not the last pass's "3/4".
      await beat({ pass: last.passes, passes: last.passes, rows_done: last.rows_total, rows_total: last.rows_total });
      await this.storeResult(job, out);
      log.info({ job: job.id, ms: Date.now() - started }, 'job succeeded');
      this.ended({ kind: job.kind, outcome: 'succeeded', seconds: (Date.now() - started) / 1000 });
    } catch (err) {
      if (err instanceof JobAbortedError) {
        if (this.stopping && !state.abort) {
          await this.store.release(job.id, this.owner).catch(() => {});
          log.info({ job: job.id }, 'job released (worker stopping)');
        } else {
          log.info({ job: job.id }, 'job stopped: cancelled or taken over');
        }
        return;
      }
      const problem = problemFromJobError(err);
      if (problem.status >= 500 && problem.status !== 507) log.error({ job: job.id, err }, 'job failed');
      else log.info({ job: job.id, status: problem.status, detail: problem.detail }, 'job failed');
      try {
        if (await this.store.fail(job.id, this.owner, Date.now(), ttl, problem)) {
          this.ended({ kind: job.kind, outcome: 'failed', seconds: (Date.now() - started) / 1000 });
        }
      } catch (e2) {
        log.error({ job: job.id, err: e2 }, 'could not record the job failure');
      }
    }
  }

  private ended(e: JobEnd): void {
    try {
      this.opts.onJobEnd?.(e);
    } catch {
      /* metrics never fail a job */
    }
  }

  /** Store label issues (batches) then the body; checks the disk budget first. */
  private async storeResult(job: JobRecord, out: JobOutput): Promise<void> {
    const budget = this.cfg.diskBudgetBytes;
    if (budget !== null) {
      const need = resultBytes(out);
      const used = await diskUsage(this.store, this.cfg);
      if (used + need > budget) {
        throw new JobProblemError({
          type: 'urn:labelcheck:problem:insufficient-storage',
          title: 'Insufficient storage',
          status: 507,
          detail:
            `Storing this result needs about ${mb(need)} but ${mb(Math.max(0, budget - used))} of the ${mb(budget)} ` +
            `disk budget (JOB_DISK_BUDGET_MB) remain; nothing was stored. Delete finished jobs or uploads, or raise the budget, then resubmit.`,
        });
      }
    }
    const owner = this.owner;
    const issues = out.labelIssues;
    let count: number | null = null;
    if (issues) {
      if (!(await this.store.clearLabelIssues(job.id, owner))) throw new JobAbortedError('lease lost');
      const total = issues.index.length;
      const batch = this.opts.batchRows ?? 20_000;
      for (let s = 0; s < total; s += batch) {
        const e = Math.min(total, s + batch);
        const ok = await this.store.appendLabelIssues(job.id, owner, s, {
          index: slice(issues.index, s, e),
          given: slice(issues.given, s, e),
          suggested: slice(issues.suggested, s, e),
          quality: slice(issues.quality, s, e),
        });
        if (!ok) throw new JobAbortedError('lease lost');
        await this.store.heartbeat(job.id, owner, Date.now(), this.cfg.leaseMs, null);
      }
      count = total;
    }
    if (!(await this.store.complete(job.id, owner, Date.now(), ttlMs(this.cfg), out.body, count))) {
      throw new JobAbortedError('lease lost');
    }
  }

  /** Run jobs until stop() (polls when the queue is empty). */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = (async () => {
      while (!this.stopping) {
        let ran = false;
        try {
          ran = await this.runOnce();
        } catch (err) {
          this.log.error({ err }, 'job runner error');
        }
        if (!ran && !this.stopping) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, this.cfg.pollMs);
            this.wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          this.wake = null;
        }
      }
    })();
  }

  /** Poll now (a job was just submitted in this process). */
  notify(): void {
    this.wake?.();
  }

  /** Stop: a running job stops at its next chunk and goes back to the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
    this.stopping = false;
  }
}

function slice(a: ArrayLike<number>, s: number, e: number): ArrayLike<number> {
  return ArrayBuffer.isView(a) ? (a as unknown as Float64Array).subarray(s, e) : Array.prototype.slice.call(a, s, e);
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

/**
 * The jobs API as a Fastify plugin, registered in the /v1 scope (src/api/plugins/v1-scope.ts:
 * auth, load shedding, compilers and body parsers are the scope's, errors the app's one
 * error handler's; this module only throws InputError and the errors of
 * src/service/problem.ts):
 *
 *   POST   /v1/jobs                       202 + Location; JSON (inline arrays or upload refs) or multipart .npy
 *   GET    /v1/jobs                       list, newest first, offset/limit paging
 *   GET    /v1/jobs/{id}                  status, progress, timings, error
 *   GET    /v1/jobs/{id}/result           the synchronous body; label_issues → a link
 *   GET    /v1/jobs/{id}/label-issues     flagged rows, worst first, offset/limit
 *   DELETE /v1/jobs/{id}                  cancel (queued/running) or delete (finished) with its data
 *   POST   /v1/uploads                    open an upload
 *   PUT    /v1/uploads/{id}/parts/{n}     one part, streamed to disk
 *   POST   /v1/uploads/{id}/complete      join the parts into a validated .npy (or .jsonl: example content)
 *   GET    /v1/uploads/{id}, DELETE /v1/uploads/{id}
 *
 * Tenancy (src/service/caller.ts): every job and upload is filed under the caller's key
 * name; another key gets 404 for it (as if it did not exist) and does not see it in lists;
 * the key named admin sees everything. Reviews, reports, results and corrections are parts
 * of their job and follow it.
 *
 * The plugin opens the job store (unless given one) and, by default, starts the
 * in-process runner in a worker thread (JOB_RUNNER=off: API only, e.g. when separate
 * `labelcheck worker` processes run the jobs).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { isOneOf } from '../core/types.js';
import { checkJsonValue, parseJsonSafe } from '../io/safe-json.js';
import { ByteCollector, collectStream } from '../api/collect.js';
import type { Examples } from '../schemas/examples.js';
import { checkExamples, decodeExamplesBytes, parseExamplesJsonl } from '../service/examples.js';
import { checkExamplesUpload, examplesUploadId } from './examples-upload.js';
import { checkClassificationShapes } from './stream/engine.js';
import { problemResponse } from '../schemas/common.js';
import { getEndpoint } from '../service/index.js';
import { jsonBodyObject, splitFields } from '../service/input.js';
import { parseOptions } from '../service/options.js';
import { presentLabelIssue } from '../service/present.js';
import { callerOf, canSee, ownerFilter, type Caller } from '../service/caller.js';
import {
  IdempotencyKeyReusedError,
  JobsUnavailableError,
  NotFoundError,
  PayloadTooLargeError,
  ResultNotReadyError,
  UnsupportedMediaTypeError,
  withHeaders,
} from '../service/problem.js';
import { jobsConfigFromAppConfig, jobsConfigFromEnv, ttlMs, type JobsConfig } from './config.js';
import { withJobDefaults } from './executor.js';
import { isId } from './files.js';
import { blobsFor, checkSharedDataDir, closeBlobs, removeUploadBytes, uploadNpyHeader } from './blobs/index.js';
import { forgetJobData } from './review-data.js';
import { registerReviewRoutes } from './reviews.js';
import { JobRunner, type RunnerLogger } from './runner.js';
import {
  createJobBodySchema,
  createUploadBodySchema,
  idempotencyHeadersSchema,
  jobIdParamsSchema,
  jobListSchema,
  jobResultSchema,
  jobSchema,
  labelIssuesPageQuerySchema,
  labelIssuesPageSchema,
  listJobsQuerySchema,
  uploadIdParamsSchema,
  uploadPartParamsSchema,
  uploadPartSchema,
  uploadSchema,
} from './schemas.js';
import { openJobStore } from './store/index.js';
import { JOB_KINDS, type JobInput, type JobKind, type JobRecord, type JobStatus, type JobStore, type UploadRecord } from './store/types.js';
import {
  checkDiskBudget,
  checkNpySize,
  completeUpload,
  createUpload,
  deleteUpload,
  notFound,
  notReady,
  receivePart,
  uploadFormat,
} from './uploads.js';
import { startRunnerThread } from './runner-host.js';
import { registerJobsMetrics, type JobEnd } from './metrics.js';
import type { Registry } from 'prom-client';

export interface JobsPluginOptions {
  /** Jobs settings; default: from the app's `config` decoration (src/config.ts) and the environment. */
  config?: JobsConfig;
  /** Use this store (the caller closes it); default: open the configured one. */
  store?: JobStore;
  /** 'thread': in-process runner in a worker thread (default unless JOB_RUNNER=off); 'inline': same thread (tests); 'none'. */
  runner?: 'thread' | 'inline' | 'none';
  /** false: do not open the store (e.g. to generate the OpenAPI document); requests then answer 503. */
  openStore?: boolean;
}

const ARRAY_FIELDS: Record<JobKind, readonly string[]> = {
  'label-issues': ['labels', 'pred_probs'],
  'confident-joint': ['labels', 'pred_probs'],
  'dataset-health': ['labels', 'pred_probs'],
  'corrected-accuracy': ['labels', 'pred_probs', 'models', 'verified_corrections'],
};

/** Text parts of a multipart job are small. */
const FIELD_SIZE_LIMIT = 16 * 1024 * 1024;

/**
 * The bytes of a body the /v1 scope's parsers collected (JSON, Arrow: `{ type, bytes }`),
 * or null for a raw stream (routes with `config.rawStream`) or no body.
 */
function collectedBytes(body: unknown): Uint8Array | null {
  const b = body as { bytes?: unknown } | null | undefined;
  return b && typeof b === 'object' && b.bytes instanceof Uint8Array ? b.bytes : null;
}

/** Let an unread raw body stream drain. */
function drain(body: unknown): void {
  if (body && collectedBytes(body) === null) (body as Readable).resume?.();
}

function json(description: string, schema: z.ZodType) {
  return { description, content: { 'application/json': { schema } } };
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

export function jobView(job: JobRecord) {
  const self = `/v1/jobs/${job.id}`;
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    progress: job.progress,
    created_at: iso(job.createdAt)!,
    started_at: iso(job.startedAt),
    finished_at: iso(job.finishedAt),
    expires_at: iso(job.expiresAt),
    queued_ms: job.startedAt === null ? null : job.startedAt - job.createdAt,
    run_ms: job.startedAt === null || job.finishedAt === null ? null : job.finishedAt - job.startedAt,
    attempts: job.attempts,
    error: job.error,
    num_label_issues_stored: job.labelIssuesCount,
    links: {
      self,
      result: `${self}/result`,
      ...(job.kind === 'label-issues' ? { label_issues: `${self}/label-issues` } : {}),
    },
  };
}

function uploadView(u: UploadRecord, parts?: { n: number; size: number; sha256: string }[]) {
  const self = `/v1/uploads/${u.id}`;
  return {
    id: u.id,
    status: u.status,
    filename: u.filename,
    size: u.size,
    format: uploadFormat(u),
    ...(parts ? { parts } : {}),
    dtype: u.dtype,
    shape: u.shape,
    created_at: iso(u.createdAt)!,
    completed_at: iso(u.completedAt),
    expires_at: iso(u.expiresAt)!,
    links: { self, parts: `${self}/parts/{n}`, complete: `${self}/complete` },
  };
}

function sha256(...chunks: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

function isUploadRef(v: unknown): v is { upload: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { upload?: unknown }).upload === 'string';
}

function parseKind(v: unknown): JobKind {
  if (!isOneOf(JOB_KINDS, v)) {
    throw new InputError('kind', `kind must be one of ${JOB_KINDS.join(', ')}; got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  }
  return v;
}

/** Shape checks of uploaded arrays from their stored headers (no data read). */
function checkUploadShapes(uploads: Record<string, UploadRecord>): void {
  const header = (u: UploadRecord) => ({ dtype: u.dtype!, kind: npyKind(u.dtype!), shape: u.shape! });
  const pp = uploads.pred_probs;
  const lb = uploads.labels;
  if (!pp) throw new InputError('pred_probs', 'pred_probs is required: give {"upload": "<id>"} of a completed .npy upload');
  if (!lb) throw new InputError('labels', 'labels is required: give {"upload": "<id>"} of a completed .npy upload');
  checkClassificationShapes(header(pp), header(lb));
}

/** The kind letter of a stored `.npy` descr (`<f4` → f). */
function npyKind(dtype: string): 'f' | 'i' | 'u' | 'b' {
  const c = dtype.replace(/^[<>|=]/, '')[0];
  return c === 'f' || c === 'i' || c === 'u' || c === 'b' ? c : 'f';
}

async function jobsRoutes(app: FastifyInstance, opts: JobsPluginOptions): Promise<void> {
  const appConfig = (app as FastifyInstance & { config?: { dataDir: string; databaseUrl: string | undefined; jobTtlHours: number } }).config;
  const cfg: JobsConfig = opts.config ?? (appConfig ? jobsConfigFromAppConfig(appConfig) : jobsConfigFromEnv());
  if (opts.openStore !== false) await mkdir(cfg.dataDir, { recursive: true });
  const store = opts.store ?? (opts.openStore === false ? unavailableStore() : await openJobStore(cfg));
  if (!opts.store && opts.openStore !== false) {
    try {
      await checkSharedDataDir(cfg); // UPLOAD_STORAGE=files with a database: one DATA_DIR volume for all
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  const log: RunnerLogger = {
    info: (o, m) => app.log.info(o, m),
    warn: (o, m) => app.log.warn(o, m),
    error: (o, m) => app.log.error(o, m),
  };
  const mode = opts.runner ?? (opts.openStore === false || cfg.runner === 'off' ? 'none' : 'thread');
  // GET /metrics (src/api/plugins/metrics.ts): the store's gauges and this process's jobs
  const appMetrics = (app as FastifyInstance & { metrics?: { registry: Registry } }).metrics;
  const jobsMetrics = appMetrics && opts.openStore !== false ? registerJobsMetrics(appMetrics.registry, store) : null;
  const onJobEnd = (e: JobEnd): void => jobsMetrics?.jobEnded(e);
  let notify = (): void => {};
  if (mode === 'inline') {
    const runner = new JobRunner(store, cfg, { log, onJobEnd });
    app.addHook('onReady', async () => runner.start());
    app.addHook('onClose', async () => runner.stop());
    notify = () => runner.notify();
  } else if (mode === 'thread') {
    let thread: ReturnType<typeof startRunnerThread> | null = null;
    app.addHook('onReady', async () => {
      thread = startRunnerThread(cfg, log, onJobEnd);
    });
    app.addHook('onClose', async () => thread?.stop());
    notify = () => thread?.notify();
  }
  // after the runner's hook: fastify runs onClose hooks in the order they were added
  if (!opts.store) app.addHook('onClose', async () => Promise.all([store.close(), closeBlobs(cfg)]));

  const tags = ['jobs'];
  const security: { [label: string]: string[] }[] = [{}, { bearerAuth: [] }];
  const P = {
    400: problemResponse('Invalid request: `errors[]` names each field.'),
    401: problemResponse('Missing or wrong API key (only when the server sets API_KEY or API_KEYS).'),
    404: problemResponse("Unknown id (or another key's)."),
  };

  /** The job, when it exists and the caller may see it; 404 otherwise (the same answer). */
  const getJobOr404 = async (request: FastifyRequest, id: string): Promise<JobRecord> => {
    const job = await store.getJob(id);
    if (!job || !canSee(callerOf(request), job.owner)) throw notFound('job', id);
    return job;
  };

  /** The upload, when it exists and the caller may see it; 404 otherwise. */
  const getUploadOr404 = async (request: FastifyRequest, id: string): Promise<UploadRecord> => {
    const u = await store.getUpload(id);
    if (!u || !canSee(callerOf(request), u.owner)) throw notFound('upload', id);
    return u;
  };

  // ---------------------------------------------------------------- POST /v1/jobs
  app.post(
    '/v1/jobs',
    {
      schema: {
        operationId: 'createJob',
        summary: 'Submit an asynchronous job',
        description:
          'Runs label-issues, confident-joint, dataset-health or corrected-accuracy in the background. Send the synchronous body plus `kind` ' +
          '(arrays inline or as `{"upload": id}` references to completed .npy uploads), or multipart .npy parts (streamed to disk) with ' +
          '`kind` and `options` text parts. label-issues jobs may carry per-example content: `examples` inline, as a JSON Lines multipart ' +
          'part `examples`, or `{"upload": id}` of a completed .jsonl upload. Answers 202 with the job and `Location`. Jobs over uploads are computed in passes over row ' +
          'chunks, in bounded memory, with results identical to the synchronous route.',
        tags,
        security,
        headers: idempotencyHeadersSchema,
        body: createJobBodySchema,
        response: {
          202: json('The job (new, or the existing one for a repeated Idempotency-Key).', jobSchema),
          ...P,
          413: problemResponse('Body larger than the limit.'),
          415: problemResponse('Unsupported Content-Type.'),
          422: problemResponse('Idempotency-Key already used for a different request.'),
          507: problemResponse('Disk budget exceeded (JOB_DISK_BUDGET_MB).'),
        },
      },
    },
    async (request, reply) => {
      const key = headerValue(request, 'idempotency-key');
      const caller = callerOf(request);
      let sub: Submission;
      if (request.isMultipart()) {
        sub = await readMultipartJob(request, store, cfg, caller);
      } else if (collectedBytes(request.body) && (request.body as { type: string }).type === 'json') {
        sub = await jsonJob(collectedBytes(request.body)!, store, cfg, caller);
      } else {
        drain(request.body);
        const ct = request.headers['content-type'];
        throw new UnsupportedMediaTypeError(ct ? JSON.stringify(ct) : '(none)', 'application/json or multipart/form-data');
      }
      const { job, created } = await store.createJob({
        id: sub.id,
        kind: sub.kind,
        input: sub.input,
        owner: caller.name,
        idempotencyKey: key ?? null,
        requestHash: sub.hash,
        now: Date.now(),
      });
      if (!created) {
        await discardOwnedUploads(store, cfg, sub.ownedUploads);
        if (job.requestHash !== sub.hash) {
          throw new IdempotencyKeyReusedError(
            `Idempotency-Key ${JSON.stringify(key)} was already used for a different request (job ${job.id}); use a new key for a new request`,
          );
        }
        reply.header('idempotent-replayed', 'true');
      } else {
        notify();
      }
      return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(jobView(job));
    },
  );

  // ---------------------------------------------------------------- GET /v1/jobs
  app.get(
    '/v1/jobs',
    {
      schema: {
        operationId: 'listJobs',
        summary: 'List jobs, newest first',
        description: "The caller's jobs (every job for the key named admin, or when the server has no keys).",
        tags,
        security,
        querystring: listJobsQuerySchema,
        response: { 200: json('A page of jobs.', jobListSchema), ...P },
      },
    },
    async (request) => {
      const q = request.query as z.output<typeof listJobsQuerySchema>;
      const owner = ownerFilter(callerOf(request));
      const { jobs, total } = await store.listJobs({
        offset: q.offset,
        limit: q.limit,
        ...(q.status ? { status: q.status } : {}),
        ...(owner !== undefined ? { owner } : {}),
      });
      const nextOffset = q.offset + jobs.length;
      return {
        jobs: jobs.map(jobView),
        total,
        offset: q.offset,
        limit: q.limit,
        next: nextOffset < total ? `/v1/jobs?offset=${nextOffset}&limit=${q.limit}${q.status ? `&status=${q.status}` : ''}` : null,
      };
    },
  );

  // ---------------------------------------------------------------- GET /v1/jobs/{id}
  app.get(
    '/v1/jobs/:id',
    {
      schema: {
        operationId: 'getJob',
        summary: 'Job status, progress, timings and error',
        tags,
        security,
        params: jobIdParamsSchema,
        response: { 200: json('The job.', jobSchema), ...P },
      },
    },
    async (request) => jobView(await getJobOr404(request, (request.params as { id: string }).id)),
  );

  // ---------------------------------------------------------------- GET /v1/jobs/{id}/result
  app.get(
    '/v1/jobs/:id/result',
    {
      schema: {
        operationId: 'getJobResult',
        summary: 'The result body of a succeeded job',
        description: 'The body the synchronous route returns for the same request, except `label_issues`: `{total, href}` pointing to the paginated rows.',
        tags,
        security,
        params: jobIdParamsSchema,
        response: { 200: json('The result.', jobResultSchema), ...P, 409: problemResponse('The job has not succeeded (queued, running, failed or cancelled).') },
      },
    },
    async (request) => {
      const job = await getJobOr404(request, (request.params as { id: string }).id);
      if (job.status !== 'succeeded') throw notReady(job);
      const body = (await store.getResult(job.id)) as Record<string, unknown> | null;
      if (!body) throw notFound('result of job', job.id);
      if (job.kind !== 'label-issues') return body;
      const { num_label_issues, ...rest } = body;
      return {
        num_label_issues,
        label_issues: { total: job.labelIssuesCount ?? 0, href: `/v1/jobs/${job.id}/label-issues` },
        ...rest,
      };
    },
  );

  // ---------------------------------------------------------------- GET /v1/jobs/{id}/label-issues
  app.get(
    '/v1/jobs/:id/label-issues',
    {
      schema: {
        operationId: 'getJobLabelIssues',
        summary: 'Flagged rows of a label-issues job, worst first',
        description: 'Stable order (the ranking of the synchronous route); page with offset and limit.',
        tags,
        security,
        params: jobIdParamsSchema,
        querystring: labelIssuesPageQuerySchema,
        response: { 200: json('A page of label issues.', labelIssuesPageSchema), ...P, 409: problemResponse('The job has not succeeded.') },
      },
    },
    async (request) => {
      const job = await getJobOr404(request, (request.params as { id: string }).id);
      if (job.kind !== 'label-issues') {
        throw new NotFoundError(`Job ${job.id} is a ${job.kind} job; only label-issues jobs have label issues`);
      }
      if (job.status !== 'succeeded') throw notReady(job);
      const q = request.query as z.output<typeof labelIssuesPageQuerySchema>;
      const total = job.labelIssuesCount ?? 0;
      const rows = await store.getLabelIssues(job.id, q.offset, q.limit);
      const names = await classNamesOf(store, job);
      const items = rows.map((r) =>
        presentLabelIssue(r.index, r.given_label, r.suggested_label, Number.isNaN(r.label_quality) ? null : r.label_quality, names ?? undefined),
      );
      const next = q.offset + rows.length;
      return {
        job_id: job.id,
        total,
        offset: q.offset,
        limit: q.limit,
        label_issues: items,
        next: next < total ? `/v1/jobs/${job.id}/label-issues?offset=${next}&limit=${q.limit}` : null,
      };
    },
  );

  // ---------------------------------------------------------------- DELETE /v1/jobs/{id}
  app.delete(
    '/v1/jobs/:id',
    {
      schema: {
        operationId: 'deleteJob',
        summary: 'Cancel a queued/running job, or delete a finished one with its data',
        description: 'A queued or running job is cancelled (202, the job); a finished job is deleted with its result, label issues and the uploads it created (204).',
        tags,
        security,
        params: jobIdParamsSchema,
        response: { 202: json('Cancelled.', jobSchema), 204: z.null().describe('Deleted.'), ...P },
      },
    },
    async (request, reply) => {
      const job = await getJobOr404(request, (request.params as { id: string }).id);
      if (job.status === 'queued' || job.status === 'running') {
        const after = await store.cancel(job.id, Date.now(), ttlMs(cfg));
        if (after?.status === 'cancelled') return reply.code(202).send(jobView(after));
        // it finished in the meantime: delete it like any finished job
      }
      const { ownedUploads } = await store.deleteJob(job.id);
      forgetJobData(job.id);
      await removeUploadBytes(cfg, ownedUploads);
      return reply.code(204).send();
    },
  );

  // ---------------------------------------------------------------- uploads
  app.post(
    '/v1/uploads',
    {
      config: { rawStream: true },
      schema: {
        operationId: 'createUpload',
        summary: 'Open an upload for a large .npy file (or a .jsonl file of example content)',
        description:
          'Then PUT the file in parts (any size up to JOB_UPLOAD_PART_MAX_MB each), then POST …/complete. Refer to it in POST /v1/jobs as `{"upload": id}`. ' +
          'A `filename` ending in `.jsonl` makes a JSON Lines upload (one object per row with any of `id`, `text`, `url`; at most JOB_MEMORY_BUDGET_MB), ' +
          'usable only as a label-issues job\'s `examples`; every other upload is a .npy array.',
        tags: ['uploads'],
        security,
        body: createUploadBodySchema,
        response: { 201: json('The open upload.', uploadSchema), ...P, 507: problemResponse('Disk budget exceeded.') },
      },
    },
    async (request, reply) => {
      let filename: string | null = null;
      const bytes = collectedBytes(request.body);
      if (bytes && bytes.length > 0) {
        const b = jsonBodyObject({ kind: 'json-bytes', bytes });
        const parsed = parseOptions(createUploadBodySchema.unwrap(), b);
        filename = parsed.filename ?? null;
      } else {
        drain(request.body);
      }
      await checkDiskBudget(store, cfg, 0);
      const u = await createUpload(store, cfg, filename, null, callerOf(request).name);
      return reply.code(201).header('location', `/v1/uploads/${u.id}`).send(uploadView(u, []));
    },
  );

  app.get(
    '/v1/uploads/:id',
    {
      schema: {
        operationId: 'getUpload',
        summary: 'Upload status, received parts, and the .npy shape once complete',
        tags: ['uploads'],
        security,
        params: uploadIdParamsSchema,
        response: { 200: json('The upload.', uploadSchema), ...P },
      },
    },
    async (request) => {
      const id = (request.params as { id: string }).id;
      const u = await getUploadOr404(request, id);
      return uploadView(u, u.status === 'open' ? await store.listUploadParts(id) : undefined);
    },
  );

  app.put(
    '/v1/uploads/:id/parts/:n',
    {
      config: { rawStream: true },
      schema: {
        operationId: 'putUploadPart',
        summary: 'Send one part of an upload (raw bytes, streamed to disk)',
        description: 'Any content type (application/octet-stream recommended). Sending a part number again replaces it.',
        tags: ['uploads'],
        security,
        params: uploadPartParamsSchema,
        response: {
          200: json('The stored part with its SHA-256.', uploadPartSchema),
          ...P,
          409: problemResponse('The upload is already complete.'),
          413: problemResponse('Part larger than JOB_UPLOAD_PART_MAX_MB.'),
          507: problemResponse('Disk budget exceeded.'),
        },
      },
    },
    async (request) => {
      const { id, n } = request.params as { id: string; n: number };
      const body = request.body;
      const bytes = collectedBytes(body);
      const stream: Readable = bytes ? Readable.from([bytes]) : (body as Readable);
      if (!stream || typeof (stream as Readable).pipe !== 'function') {
        throw new InputError('body', 'The part has no body; send the bytes of the part');
      }
      try {
        await getUploadOr404(request, id);
      } catch (e) {
        stream.resume();
        throw e;
      }
      const len = Number(request.headers['content-length']);
      // Refused from the declared size, before a byte of the body is read.
      if (Number.isFinite(len) && len > cfg.maxPartBytes) {
        stream.resume();
        throw new PayloadTooLargeError(`Part ${n} declares ${len} bytes; parts may have at most ${cfg.maxPartBytes} bytes (JOB_UPLOAD_PART_MAX_MB)`);
      }
      return receivePart(store, cfg, id, n, stream, Number.isFinite(len) ? len : null);
    },
  );

  app.post(
    '/v1/uploads/:id/complete',
    {
      config: { rawStream: true },
      schema: {
        operationId: 'completeUpload',
        summary: 'Join the parts into the stored .npy (header checked against the size) or .jsonl (every line checked, rows counted)',
        tags: ['uploads'],
        security,
        params: uploadIdParamsSchema,
        response: {
          200: json('The complete upload with dtype and shape (a .jsonl upload: shape [rows], dtype null).', uploadSchema),
          ...P,
          409: problemResponse('Another complete of this upload is running; retry.'),
          413: problemResponse('A .jsonl upload larger than JOB_MEMORY_BUDGET_MB.'),
          507: problemResponse('Disk full.'),
        },
      },
    },
    async (request) => {
      const body = request.body;
      drain(body);
      const id = (request.params as { id: string }).id;
      await getUploadOr404(request, id);
      return uploadView(await completeUpload(store, cfg, id));
    },
  );

  app.delete(
    '/v1/uploads/:id',
    {
      schema: {
        operationId: 'deleteUpload',
        summary: 'Delete an upload and its file',
        tags: ['uploads'],
        security,
        params: uploadIdParamsSchema,
        response: { 204: z.null().describe('Deleted.'), ...P },
      },
    },
    async (request, reply) => {
      const id = (request.params as { id: string }).id;
      await getUploadOr404(request, id);
      if (!(await deleteUpload(store, cfg, id))) throw notFound('upload', id);
      return reply.code(204).send();
    },
  );

  await registerReviewRoutes(app, {
    store,
    cfg,
    lookup: getJobOr404,
    mediaRoot: (app as FastifyInstance & { config?: { mediaRoot?: string } }).config?.mediaRoot !== undefined,
  });
}

/** A store that answers every call with 503 (plugin registered with openStore: false). */
function unavailableStore(): JobStore {
  return new Proxy({} as JobStore, {
    get(_t, prop) {
      if (prop === 'kind') return 'sqlite';
      if (prop === 'close') return async () => {};
      if (prop === 'then') return undefined;
      return async () => {
        throw new JobsUnavailableError();
      };
    },
  });
}

interface Submission {
  id: string;
  kind: JobKind;
  input: JobInput;
  hash: string;
  /** Uploads created for this submission (multipart), removed if no job is created. */
  ownedUploads: string[];
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return undefined;
  if (s.length === 0 || s.length > 255) throw new InputError(name, `${name} must be 1 to 255 characters`);
  return s;
}

async function classNamesOf(store: JobStore, job: JobRecord): Promise<string[] | null> {
  const body = (await store.getResult(job.id)) as { classes?: { class: number; class_name?: string }[] } | null;
  const classes = body?.classes;
  if (!classes || classes.length === 0 || classes[0]!.class_name === undefined) return null;
  const names: string[] = [];
  for (const c of classes) names[c.class] = c.class_name!;
  return names;
}

async function discardOwnedUploads(store: JobStore, cfg: JobsConfig, ids: string[]): Promise<void> {
  for (const id of ids) await deleteUpload(store, cfg, id);
}

/**
 * Validate the options of a job body against the endpoint's schema (400 before queueing).
 * Array fields other than the files (corrected-accuracy `models`, `verified_corrections`)
 * travel with the options, as in the synchronous multipart request.
 */
function checkOptions(kind: JobKind, body: Record<string, unknown>): void {
  const { options } = splitFields(body, ARRAY_FIELDS[kind]);
  parseOptions(getEndpoint(kind).optionsSchema, withJobDefaults(kind, options));
}

/**
 * The upload id of `examples: {"upload": id}` in a job's options, else null; 400 naming
 * `examples` for a kind that reads no example content.
 */
function examplesRefOf(kind: JobKind, options: Record<string, unknown>): string | null {
  const id = examplesUploadId(options);
  if (id !== null && getEndpoint(kind).examplesPart !== true) {
    throw new InputError('examples', `${kind} jobs read no example content; examples (an upload of JSON Lines) are for label-issues jobs`);
  }
  return id;
}

/** checkOptions, with `examples: {"upload": id}` set aside; returns that upload id or null. */
function checkJobOptions(kind: JobKind, options: Record<string, unknown>): string | null {
  const ref = examplesRefOf(kind, options);
  if (ref === null) {
    checkOptions(kind, options);
    return null;
  }
  const { examples: _ref, ...rest } = options;
  checkOptions(kind, rest);
  return ref;
}

/** Inline `examples` have N entries each, or the uploaded `.jsonl` has N rows (then kept as long as the job's other uploads). */
async function checkJobExamples(
  store: JobStore,
  caller: Caller,
  ref: string | null,
  options: Record<string, unknown>,
  n: number | null,
  expires: number,
): Promise<void> {
  if (ref === null) {
    if (n !== null) checkExamples(options.examples as Examples | undefined, n);
    return;
  }
  await checkExamplesUpload(store, caller, ref, n);
  await store.touchUpload(ref, expires);
}

async function jsonJob(bytes: Uint8Array, store: JobStore, cfg: JobsConfig, caller: Caller): Promise<Submission> {
  const body = jsonBodyObject({ kind: 'json-bytes', bytes });
  const kind = parseKind(body.kind);
  const { kind: _k, ...rest } = body;
  const examplesRef = checkJobOptions(kind, rest);
  const expires = Date.now() + ttlMs(cfg);
  const id = randomUUID();
  const hash = sha256('json\0', bytes);
  const fileFields = getEndpoint(kind).fileParts;
  const { arrays: files, options } = splitFields(rest, fileFields);
  if (!Object.values(files).some(isUploadRef)) {
    await checkJobExamples(store, caller, examplesRef, rest, Array.isArray(rest.labels) ? rest.labels.length : null, expires);
    return { id, kind, input: { type: 'json', body: rest }, hash, ownedUploads: [] };
  }
  // Arrays as uploads: labels and pred_probs both.
  const uploads: Record<string, string> = {};
  const records: Record<string, UploadRecord> = {};
  for (const field of fileFields) {
    const v = files[field];
    if (v === undefined) continue;
    if (!isUploadRef(v)) {
      throw new InputError(field, `${field} must be {"upload": "<id>"} like the other arrays of this job (mixing inline arrays and uploads is not supported)`);
    }
    if (!isId(v.upload)) throw new InputError(field, `${field}.upload must be an upload id returned by POST /v1/uploads`);
    const u = await store.getUpload(v.upload);
    // Another key's upload is answered exactly like one that does not exist.
    if (!u || !canSee(caller, u.owner)) {
      throw new NotFoundError(`${field} refers to upload ${v.upload}, which does not exist (deleted or expired?)`);
    }
    if (u.status !== 'complete') throw new InputError(field, `${field} refers to upload ${v.upload}, which is not complete; POST /v1/uploads/${v.upload}/complete first`);
    if (uploadFormat(u) !== 'npy') {
      throw new InputError(field, `${field} refers to upload ${v.upload}, a .jsonl upload (JSON Lines, for examples); ${field} must be a .npy upload`);
    }
    uploads[field] = u.id;
    records[field] = u;
  }
  checkUploadShapes(records);
  await checkJobExamples(store, caller, examplesRef, rest, records.labels!.shape![0]!, expires);
  for (const u of Object.values(uploads)) await store.touchUpload(u, expires);
  return { id, kind, input: { type: 'npy', uploads, options }, hash, ownedUploads: [] };
}

/** A 413 naming the `examples` part. */
function examplesTooLarge(detail: string): Error {
  const err = new PayloadTooLargeError(detail);
  (err as Error & { part?: { fieldname: string } }).part = { fieldname: 'examples' };
  return err;
}

/** Multipart POST /v1/jobs: file parts streamed into uploads owned by the job. */
async function readMultipartJob(request: FastifyRequest, store: JobStore, cfg: JobsConfig, caller: Caller): Promise<Submission> {
  const id = randomUUID();
  const owned: string[] = [];
  const uploads: Record<string, string> = {};
  const records: Record<string, UploadRecord> = {};
  let kindText: unknown;
  let optionsRaw: unknown;
  let examplesText: string | undefined;
  const hash = createHash('sha256').update('multipart\0');
  try {
    let used = await checkDiskBudget(store, cfg, 0);
    for await (const part of request.parts({ limits: { fileSize: cfg.maxMultipartBytes, fieldSize: FIELD_SIZE_LIMIT } })) {
      const name = part.fieldname;
      if (name === 'examples') {
        if (examplesText !== undefined) {
          if (part.type === 'file') part.file.resume();
          throw new InputError('examples', "The multipart part 'examples' was sent twice; send one JSON Lines part");
        }
        const tooLarge = (): Error => examplesTooLarge(`The multipart part 'examples' exceeds ${FIELD_SIZE_LIMIT} bytes`);
        if (part.type === 'file') {
          const bytes = await collectStream(part.file, new ByteCollector({ limit: FIELD_SIZE_LIMIT, onTooLarge: tooLarge }));
          if (part.file.truncated) throw tooLarge();
          examplesText = decodeExamplesBytes(bytes);
        } else {
          if (part.valueTruncated) throw tooLarge();
          examplesText = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
        }
        hash.update(`field\0examples\0${examplesText}\0`);
        continue;
      }
      if (part.type === 'file') {
        if (uploads[name] !== undefined) {
          part.file.resume();
          throw new InputError(name, `The multipart file part '${name}' was sent twice; send each array once`);
        }
        const u = await createUpload(store, cfg, part.filename ?? null, id, caller.name);
        owned.push(u.id);
        const { size, sha256: fileSha } = await blobsFor(cfg).writeData(u.id, part.file, {
          maxBytes: cfg.maxMultipartBytes,
          budgetLeft: cfg.diskBudgetBytes === null ? null : cfg.diskBudgetBytes - used,
          what: `The multipart file part '${name}'`,
        });
        if (part.file.truncated) {
          throw new PayloadTooLargeError(`The multipart file part '${name}' exceeds the limit`);
        }
        used += size;
        hash.update(`file\0${name}\0${fileSha}\0`);
        const header = await uploadNpyHeader(cfg, u.id, name);
        checkNpySize(header, size, name);
                const done = await store.completeUpload(u.id, { size, dtype: header.dtype, shape: header.shape, now: Date.now() });
        uploads[name] = u.id;
        records[name] = done!;
        continue;
      }
      if (typeof part.value !== 'string') checkJsonValue(part.value, name);
      const value = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
      hash.update(`field\0${name}\0${value}\0`);
      if (name === 'kind') kindText = value;
      else if (name === 'options') {
        optionsRaw = parseJsonSafe(value, 'options', "The multipart text part 'options'");
      } else {
        throw new InputError(name, `Unexpected multipart text part '${name}'; send 'kind', 'options' (a JSON object) and the .npy file parts`);
      }
    }
    const options = optionsRaw === undefined ? {} : optionsRaw;
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new InputError('options', 'The multipart text part options must be a JSON object');
    }
    const { kind: kindInOptions, ...opts } = options as Record<string, unknown>;
    if (examplesText !== undefined) {
      if (opts.examples !== undefined) {
        throw new InputError('examples', "examples were sent twice: in the 'options' part and as the JSON Lines part 'examples'; send one");
      }
      opts.examples = parseExamplesJsonl(examplesText);
    }
    const kind = parseKind(kindText ?? kindInOptions);
    const allowed = getEndpoint(kind).fileParts;
    for (const name of Object.keys(uploads)) {
      const ok = allowed.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : p === name));
      if (!ok) throw new InputError(name, `Unexpected multipart file part '${name}'; ${kind} jobs read ${allowed.join(', ')}`);
    }
    const examplesRef = checkJobOptions(kind, opts);
    checkUploadShapes(records);
    await checkJobExamples(store, caller, examplesRef, opts, records.labels!.shape![0]!, Date.now() + ttlMs(cfg));
    return { id, kind, input: { type: 'npy', uploads, options: opts }, hash: hash.digest('hex'), ownedUploads: owned };
  } catch (e) {
    await discardOwnedUploads(store, cfg, owned);
    const err = e as { code?: string; statusCode?: number };
    if (err.code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new PayloadTooLargeError(`A multipart file part exceeds the limit of ${cfg.maxMultipartBytes} bytes`);
    }
    throw e;
  }
}

/** The plugin for `buildApp(config, { v1Plugins: [createJobsPlugin()] })`. */
export function createJobsPlugin(opts: JobsPluginOptions = {}): FastifyPluginAsync {
  return async (app) => jobsRoutes(app, opts);
}

export default jobsRoutes;

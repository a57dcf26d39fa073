/**
 * Review routes of label-issues jobs (review.md §2–§4), registered inside the jobs plugin
 * (same store, auth, error handler and body parsers):
 *
 *   GET    /v1/jobs/{id}/report                 the HTML report
 *   GET    /v1/jobs/{id}/review-queue           the blind queue, worst first, with seeded controls
 *   PUT    /v1/jobs/{id}/reviews/{index}        store a verdict {reviewer, label}
 *   DELETE /v1/jobs/{id}/reviews/{index}        remove one (?reviewer=)
 *   GET    /v1/jobs/{id}/verdicts               stored verdicts (one reviewer's with ?reviewer=)
 *   GET    /v1/jobs/{id}/reviews                the summary: majority rule, Wilson intervals
 *   GET    /v1/jobs/{id}/corrections            the cleaned labels (csv | json | npy)
 *   POST   /v1/jobs/{id}/corrected-accuracy     corrected-accuracy with the verified corrections
 *
 * Every route finds its job through `lookup` (one place for an owner check).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { problemResponse } from '../schemas/common.js';
import {
  correctionsJsonSchema,
  correctionsQuerySchema,
  deleteReviewQuerySchema,
  jobCorrectedAccuracyBodySchema,
  putReviewBodySchema,
  reviewIndexParamsSchema,
  reviewQueueQuerySchema,
  reviewQueueSchema,
  reviewSummaryQuerySchema,
  reviewSummarySchema,
  verdictListSchema,
  verdictSchema,
  verdictsQuerySchema,
} from '../schemas/review.js';
import { executeRequest, type RequestPayload } from '../service/index.js';
import { jsonBodyObject } from '../service/input.js';
import { parseOptions } from '../service/options.js';
import { correctionRows, correctionsBody, reportData, reviewQueue, reviewSummary } from '../service/review.js';
import { renderReport } from '../web/report.js';
import { NotFoundError } from '../service/problem.js';
import type { JobsConfig } from './config.js';
import { readUploadBytes } from './blobs/index.js';
import { jobData, type JobData } from './review-data.js';
import type { JobRecord, JobStore, ReviewRecord } from './store/types.js';
import { notReady } from './uploads.js';

/** Finds a job for a request (404 when unknown or not the caller's). */
export type JobLookup = (request: FastifyRequest, id: string) => Promise<JobRecord>;

export interface ReviewRoutesOptions {
  store: JobStore;
  cfg: JobsConfig;
  lookup: JobLookup;
  /** Whether the server serves MEDIA_ROOT at /media (relative example urls become links). */
  mediaRoot: boolean;
}

const problem = problemResponse;
const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });

const iso = (t: number): string => new Date(t).toISOString();
const verdictView = (r: ReviewRecord) => ({ index: r.index, reviewer: r.reviewer, label: r.label, updated_at: iso(r.updatedAt) });

/** The filter options of label-issues that corrected-accuracy shares (same flagged set). */
const SHARED_FILTER_OPTIONS = ['filter_by', 'frac_noise', 'num_to_remove_per_class', 'min_examples_per_class', 'class_names'] as const;

export async function registerReviewRoutes(app: FastifyInstance, opts: ReviewRoutesOptions): Promise<void> {
  const { store, cfg, lookup } = opts;
  const tags = ['review'];
  const security: { [label: string]: string[] }[] = [{}, { bearerAuth: [] }];
  const P = {
    400: problem('Invalid request: `errors[]` names each field.'),
    401: problem('Missing or wrong API key (only when the server sets API_KEY or API_KEYS).'),
    404: problem("Unknown job (or another key's), or not a label-issues job."),
    409: problem('The job has not succeeded.'),
  };

  /** A succeeded label-issues job and its data. */
  const reviewable = async (request: FastifyRequest): Promise<{ job: JobRecord; data: JobData }> => {
    const job = await lookup(request, (request.params as { id: string }).id);
    if (job.kind !== 'label-issues') {
      throw new NotFoundError(`Job ${job.id} is a ${job.kind} job; only label-issues jobs have reviews and reports`);
    }
    if (job.status !== 'succeeded') throw notReady(job);
    return { job, data: await jobData(store, cfg, job) };
  };

  const summaryOf = async (data: JobData, minReviews: number) => reviewSummary(data, await store.listReviews(data.jobId), minReviews);

  app.get(
    '/v1/jobs/:id/report',
    {
      schema: {
        operationId: 'getJobReport',
        summary: 'The HTML report of a label-issues job',
        description:
          'One self-contained page (inline CSS and SVG, no script, no request to another host except the example URLs you gave): counts, ' +
          'accuracy, the confident joint as a heatmap, class health, overlapping classes, the score histogram, the top issues with their ' +
          'content, and the review summary when there are reviews. Browsers cannot send a bearer key on navigation: with API keys set, ' +
          'fetch it with the header (`curl -H "Authorization: Bearer $KEY" … -o report.html`) or use `labelcheck report`.',
        tags,
        security,
        params: z.object({ id: z.string() }),
        response: { 200: { description: 'The report.', content: { 'text/html': { schema: z.string() } } }, ...P },
      },
    },
    async (request, reply) => {
      const { job, data } = await reviewable(request);
      const verdicts = await store.listReviews(job.id);
      const html = renderReport(
        reportData(data, data.result, {
          title: `Label issues — job ${job.id.slice(0, 8)}`,
          jobId: job.id,
          mediaRoot: opts.mediaRoot,
          reviews: verdicts.length > 0 ? reviewSummary(data, verdicts) : null,
          reviewHref: `/review/${job.id}`,
          quality: data.quality,
        }),
      );
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
    },
  );

  app.get(
    '/v1/jobs/:id/review-queue',
    {
      schema: {
        operationId: 'getReviewQueue',
        summary: 'The blind review queue: flagged rows worst first, with seeded controls',
        description:
          'Flagged rows worst first, interleaved with a seeded random sample of unflagged rows (fraction `controls` of them) at seeded ' +
          'random positions. Items never say whether they are controls. Same controls and seed → same queue.',
        tags,
        security,
        params: z.object({ id: z.string() }),
        querystring: reviewQueueQuerySchema,
        response: { 200: json('A page of the queue.', reviewQueueSchema), ...P },
      },
    },
    async (request) => {
      const { job, data } = await reviewable(request);
      const q = request.query as z.output<typeof reviewQueueQuerySchema>;
      const page = reviewQueue(data, {
        controls: q.controls,
        seed: q.seed,
        limit: q.limit,
        cursor: q.cursor === undefined ? 0 : Number(q.cursor),
        mediaRoot: opts.mediaRoot,
      });
      const k = data.input.predProbs.k;
      return { job_id: job.id, total: page.total, class_names: data.options.class_names ?? Array.from({ length: k }, (_, j) => String(j)), items: page.items, next_cursor: page.next_cursor };
    },
  );

  app.put(
    '/v1/jobs/:id/reviews/:index',
    {
      schema: {
        operationId: 'putReview',
        summary: "Store a reviewer's verdict on one example",
        description: 'The same reviewer and index replace the earlier verdict (idempotent).',
        tags,
        security,
        params: reviewIndexParamsSchema,
        body: putReviewBodySchema,
        response: { 200: json('The stored verdict.', verdictSchema), ...P },
      },
    },
    async (request) => {
      const { job, data } = await reviewable(request);
      const { index } = request.params as z.output<typeof reviewIndexParamsSchema>;
      const body = parseOptions(putReviewBodySchema, jsonBodyObject({ kind: 'json-bytes', bytes: requireBody(request) }));
      const n = data.input.labels.length;
      const k = data.input.predProbs.k;
      if (index >= n) throw new InputError('index', `index ${index} is out of range: the job has N = ${n} examples`);
      if (body.label !== null && body.label >= k) throw new InputError('label', `label ${body.label} is out of range: the job has K = ${k} classes`);
      const record: ReviewRecord = { index, reviewer: body.reviewer, label: body.label, updatedAt: Date.now() };
      await store.putReview(job.id, record);
      return verdictView(record);
    },
  );

  app.delete(
    '/v1/jobs/:id/reviews/:index',
    {
      schema: {
        operationId: 'deleteReview',
        summary: "Remove a reviewer's verdict on one example (undo)",
        tags,
        security,
        params: reviewIndexParamsSchema,
        querystring: deleteReviewQuerySchema,
        response: { 204: z.null().describe('Removed.'), ...P },
      },
    },
    async (request, reply) => {
      const { job } = await reviewable(request);
      const { index } = request.params as z.output<typeof reviewIndexParamsSchema>;
      const { reviewer } = request.query as z.output<typeof deleteReviewQuerySchema>;
      if (!(await store.deleteReview(job.id, index, reviewer))) {
        throw new NotFoundError(`Reviewer ${JSON.stringify(reviewer)} has no verdict on index ${index} of job ${job.id}`);
      }
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/jobs/:id/verdicts',
    {
      schema: {
        operationId: 'listVerdicts',
        summary: 'Stored verdicts of a job (all, or one reviewer’s)',
        description: 'The review app reads these to restore a reviewer’s progress after a reload.',
        tags,
        security,
        params: z.object({ id: z.string() }),
        querystring: verdictsQuerySchema,
        response: { 200: json('Verdicts by index, then reviewer.', verdictListSchema), ...P },
      },
    },
    async (request) => {
      const { job } = await reviewable(request);
      const { reviewer } = request.query as z.output<typeof verdictsQuerySchema>;
      const rows = await store.listReviews(job.id, reviewer);
      return { job_id: job.id, verdicts: rows.map(verdictView) };
    },
  );

  app.get(
    '/v1/jobs/:id/reviews',
    {
      schema: {
        operationId: 'getReviewSummary',
        summary: 'Review summary: majority rule, Wilson intervals, estimated label errors',
        description:
          'Per reviewed index, the value chosen by strictly more than half of its verdicts wins: the given label → confirmed, another class ' +
          '→ relabelled, null or no strict majority → dropped. Precision of the flagged set and the error rate of unflagged controls come ' +
          'with Wilson 95% intervals; estimated_label_errors = precision · flagged + rate · unflagged.',
        tags,
        security,
        params: z.object({ id: z.string() }),
        querystring: reviewSummaryQuerySchema,
        response: { 200: json('The summary.', reviewSummarySchema), ...P },
      },
    },
    async (request) => {
      const { data } = await reviewable(request);
      const { min_reviews } = request.query as z.output<typeof reviewSummaryQuerySchema>;
      return summaryOf(data, min_reviews);
    },
  );

  app.get(
    '/v1/jobs/:id/corrections',
    {
      schema: {
        operationId: 'getCorrections',
        summary: 'The cleaned labels: given labels with the verified corrections applied',
        description:
          '`relabelled` rows get the reviewers’ class; `dropped` rows are -1 in npy (int64) and have status "dropped" (label null/empty) in ' +
          'csv (`index,given_label,label,status`) and json.',
        tags,
        security,
        params: z.object({ id: z.string() }),
        querystring: correctionsQuerySchema,
        response: {
          200: {
            description: 'The cleaned labels.',
            content: {
              'application/json': { schema: correctionsJsonSchema },
              'text/csv': { schema: z.string() },
              'application/octet-stream': { schema: z.string().describe('.npy, int64 (N,)') },
            },
          },
          ...P,
        },
      },
    },
    async (request, reply) => {
      const { job, data } = await reviewable(request);
      const q = request.query as z.output<typeof correctionsQuerySchema>;
      const summary = await summaryOf(data, q.min_reviews);
      const out = correctionsBody(correctionRows(data.input.labels, summary.verified_corrections), q.format);
      if (q.format !== 'json') reply.header('content-disposition', `attachment; filename="labels-${job.id.slice(0, 8)}.${q.format}"`);
      return reply.type(out.type).send(out.body);
    },
  );

  app.post(
    '/v1/jobs/:id/corrected-accuracy',
    {
      schema: {
        operationId: 'jobCorrectedAccuracy',
        summary: "Corrected accuracy of models on the job's data with the reviewers' verified corrections",
        description:
          'Runs POST /v1/corrected-accuracy with the job’s labels, pred_probs, filter options and class names, and `verified_corrections` ' +
          'from GET /v1/jobs/{id}/reviews?min_reviews=… .',
        tags,
        security,
        params: z.object({ id: z.string() }),
        body: jobCorrectedAccuracyBodySchema,
        response: { 200: json('The corrected-accuracy body (see POST /v1/corrected-accuracy).', z.object({}).catchall(z.unknown())), ...P },
      },
    },
    async (request, reply) => {
      const { job, data } = await reviewable(request);
      const bytes = bodyBytes(request);
      const raw = bytes ? jsonBodyObject({ kind: 'json-bytes', bytes }) : {};
      const body = parseOptions(jobCorrectedAccuracyBodySchema, raw);
      const summary = await summaryOf(data, body.min_reviews);
      const { min_reviews: _m, ...extra } = body;
      const options: Record<string, unknown> = { ...extra, verified_corrections: summary.verified_corrections };
      for (const f of SHARED_FILTER_OPTIONS) if (data.options[f] !== undefined) options[f] = data.options[f];
      const payload = await correctedAccuracyPayload(store, cfg, job, options);
      const compute = (app as FastifyInstance & { compute?: { execute(e: string, p: RequestPayload, o: 'json'): Promise<{ json?: Buffer }> } }).compute;
      if (compute) {
        const outcome = await compute.execute('corrected-accuracy', payload, 'json');
        return reply.type('application/json; charset=utf-8').send(outcome.json);
      }
      return executeRequest('corrected-accuracy', payload).body;
    },
  );
}

/** The JSON bytes the /v1 scope's parser collected (`{ type, bytes }`), or null. */
function bodyBytes(request: FastifyRequest): Uint8Array | null {
  const b = request.body as { bytes?: unknown } | Buffer | null | undefined;
  const bytes = Buffer.isBuffer(b) ? b : b && typeof b === 'object' && b.bytes instanceof Uint8Array ? b.bytes : null;
  return bytes && bytes.length > 0 ? bytes : null;
}

function requireBody(request: FastifyRequest): Uint8Array {
  const bytes = bodyBytes(request);
  if (!bytes) throw new InputError('body', 'Send a JSON body {"reviewer": "<name>", "label": <class> | null}');
  return bytes;
}

/** The corrected-accuracy request over the job's own inputs (inline JSON or its uploads). */
async function correctedAccuracyPayload(store: JobStore, cfg: JobsConfig, job: JobRecord, options: Record<string, unknown>): Promise<RequestPayload> {
  const input = await store.getJobInput(job.id);
  if (!input) throw new NotFoundError(`Job ${job.id} has no stored input`);
  if (input.type === 'json') {
    return { kind: 'json', body: { labels: input.body.labels, pred_probs: input.body.pred_probs, ...options } };
  }
  const parts: Record<string, Uint8Array> = {};
  for (const field of ['labels', 'pred_probs']) parts[field] = await readUploadBytes(cfg, input.uploads[field]!);
  return { kind: 'npy', parts, options };
}

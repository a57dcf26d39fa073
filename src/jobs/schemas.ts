/**
 * zod schemas of the jobs and uploads routes (src/jobs/plugin.ts). The params and query
 * schemas validate requests; body and response schemas document the API in OpenAPI (job
 * request bodies are checked by the plugin itself, like the synchronous routes, so large
 * arrays never go through zod element by element).
 */
import { z } from 'zod';
import { classNamesSchema, labelsSchema, predProbsSchema } from '../schemas/common.js';
import { examplesSchema } from '../schemas/examples.js';
import { JOB_KINDS, JOB_STATUSES } from './store/types.js';

export const jobKindSchema = z
  .enum(JOB_KINDS)
  .describe('Which synchronous endpoint the job runs (POST /v1/<kind> takes the same body).');

export const jobStatusSchema = z.enum(JOB_STATUSES);

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be an id returned by this API');

export const uploadRefSchema = z
  .strictObject({ upload: uuid.describe('Id of a completed upload (POST /v1/uploads …/complete).') })
  .describe('An array stored as an uploaded .npy file.');

export const examplesUploadRefSchema = z
  .strictObject({ upload: uuid.describe('Id of a completed .jsonl upload (filename ending in .jsonl).') })
  .describe('Per-example content stored as an uploaded JSON Lines file: one object per row with any of `id`, `text`, `url`; N rows.');

/** POST /v1/jobs, application/json. Every field of the synchronous route's body is accepted. */
export const createJobBodySchema = z
  .object({
    kind: jobKindSchema,
    labels: z.union([labelsSchema, uploadRefSchema]),
    pred_probs: z.union([predProbsSchema, uploadRefSchema]),
    class_names: classNamesSchema.optional(),
    examples: z
      .union([examplesSchema, examplesUploadRefSchema])
      .optional()
      .describe('label-issues jobs: per-example content for the report and the review app, inline or as `{"upload": "<id>"}` of a completed .jsonl upload.'),
  })
  .catchall(z.unknown())
  .describe(
    'The synchronous route\'s request body plus `kind`. `labels` and `pred_probs` are either inline arrays or `{"upload": "<id>"}` ' +
      'references to completed .npy uploads (recommended for large data). Jobs keep every flagged row: `limit` defaults to 0 (all).',
  );

export const jobIdParamsSchema = z.object({ id: uuid });
export const uploadIdParamsSchema = z.object({ id: uuid });
export const uploadPartParamsSchema = z.object({
  id: uuid,
  n: z.coerce.number().int().min(1).max(100_000).describe('Part number, 1-based; parts are joined in increasing order.'),
});

export const idempotencyHeadersSchema = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('Retrying POST /v1/jobs with the same key returns the same job instead of creating another.'),
});

export const listJobsQuerySchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  status: jobStatusSchema.optional(),
});

export const labelIssuesPageQuerySchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100_000).default(1000),
});

export const jobProgressSchema = z.object({
  pass: z.number().int().describe('Passes finished so far, which is also the number of the running pass (streaming.md §2, from 0); equals `passes` once the job has finished its passes.'),
  passes: z.number().int().describe('Passes this job makes in total.'),
  rows_done: z.number().int(),
  rows_total: z.number().int(),
});

export const problemObjectSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const jobSchema = z.object({
  id: z.string(),
  kind: jobKindSchema,
  status: jobStatusSchema,
  progress: jobProgressSchema.nullable(),
  created_at: z.string().describe('ISO 8601 time.'),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  expires_at: z.string().nullable().describe('When a finished job and its data are removed (JOB_TTL_HOURS).'),
  queued_ms: z.number().nullable().describe('Time from submission to the first start.'),
  run_ms: z.number().nullable().describe('Time from the first start to the end.'),
  attempts: z.number().int().describe('Runs started (more than 1 after a worker crashed).'),
  error: problemObjectSchema.nullable().describe('Why the job failed (RFC 9457 problem), else null.'),
  num_label_issues_stored: z.number().int().nullable(),
  links: z.object({
    self: z.string(),
    result: z.string(),
    label_issues: z.string().optional(),
  }),
});

export const jobListSchema = z.object({
  jobs: z.array(jobSchema),
  total: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
  next: z.string().nullable(),
});

export const jobResultSchema = z
  .object({
    label_issues: z
      .object({ total: z.number().int(), href: z.string() })
      .optional()
      .describe('label-issues jobs: the flagged rows are paginated at `href` (worst first, stable order).'),
  })
  .catchall(z.unknown())
  .describe('The body the synchronous route returns for the same request, except `label_issues` (a link).');

export const labelIssuesPageSchema = z.object({
  job_id: z.string(),
  total: z.number().int(),
  offset: z.number().int(),
  limit: z.number().int(),
  label_issues: z.array(
    z.object({
      index: z.number().int(),
      given_label: z.number().int(),
      suggested_label: z.number().int(),
      label_quality: z.number().nullable(),
      given_label_name: z.string().optional(),
      suggested_label_name: z.string().optional(),
    }),
  ),
  next: z.string().nullable(),
});

export const createUploadBodySchema = z
  .strictObject({
    filename: z
      .string()
      .max(255)
      .optional()
      .describe(
        'A name ending in `.jsonl` makes a JSON Lines upload (per-example content for a label-issues job\'s `examples`); otherwise the upload is a .npy array. Else informational.',
      ),
  })
  .optional();

export const uploadSchema = z.object({
  id: z.string(),
  status: z.enum(['open', 'complete']),
  filename: z.string().nullable(),
  size: z.number().int().describe('Bytes received (open) or of the stored file (complete).'),
  format: z
    .enum(['npy', 'jsonl'])
    .describe('`jsonl` (JSON Lines of example content, for `examples`) when the filename ends in .jsonl; else `npy` (an array).'),
  parts: z.array(z.object({ n: z.number().int(), size: z.number().int(), sha256: z.string() })).optional(),
  dtype: z.string().nullable().describe('The .npy dtype once complete (null for a .jsonl upload).'),
  shape: z.array(z.number().int()).nullable().describe('The .npy shape once complete; a .jsonl upload: [rows].'),
  created_at: z.string(),
  completed_at: z.string().nullable(),
  expires_at: z.string(),
  links: z.object({ self: z.string(), parts: z.string(), complete: z.string() }),
});

export const uploadPartSchema = z.object({
  n: z.number().int(),
  size: z.number().int(),
  sha256: z.string().describe('Hex SHA-256 of the part as received.'),
});

export type CreateJobBody = z.output<typeof createJobBodySchema>;

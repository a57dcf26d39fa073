/**
 * The /v1 compute routes: one POST per service endpoint (src/service ENDPOINTS), in the
 * /v1 scope (plugins/v1-scope.ts: auth, load shedding, zod compilers, body parsers).
 *
 * The body schema of each route is the endpoint's zod `requestSchema`, used for the
 * OpenAPI document only: bodies arrive as raw bytes and are decoded and validated in one
 * pass in the worker, never element by element by zod on the event loop. The options
 * are validated in the worker too, with the endpoint's zod `optionsSchema`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { problemResponse } from '../../schemas/common.js';
import type { EndpointSpec } from '../../service/types.js';
import { OPTIONS_HEADER, readPayload } from '../ingest.js';
import { FIELD_SIZE_LIMIT } from '../plugins/v1-scope.js';

export interface V1RoutesOptions extends Record<string, unknown> {
  endpoints: readonly EndpointSpec[];
  bodyLimitBytes: number;
}

const querystringSchema = z.object({
  options: z
    .string()
    .optional()
    .describe('Options as a JSON object, for application/vnd.apache.arrow.stream bodies (alternative: the x-labelcheck-options header).'),
});

const headersSchema = z.object({
  [OPTIONS_HEADER]: z
    .string()
    .optional()
    .describe('Options as a JSON object, for Arrow bodies (the `options` query parameter takes precedence).'),
});

export const PROBLEM_RESPONSES = {
  400: problemResponse('Invalid input: `errors[]` names each field (and the first bad row/column).'),
  401: problemResponse('Missing or wrong API key (only when the server sets API_KEY or API_KEYS).'),
  413: problemResponse('Body (or a multipart file part) larger than BODY_LIMIT_MB.'),
  415: problemResponse('Unsupported Content-Type.'),
  500: problemResponse('Unexpected server error (logged with the request id).'),
  503: problemResponse('Overloaded (worker pool full or under pressure) or not ready: retry after `Retry-After` seconds.'),
};

function operationId(name: string): string {
  return name.replace(/[/-]+([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export default async function v1Routes(api: FastifyInstance, opts: V1RoutesOptions): Promise<void> {
  const bodyLimit = opts.bodyLimitBytes;
  const fieldSizeBytes = Math.min(bodyLimit, FIELD_SIZE_LIMIT);
  for (const endpoint of opts.endpoints) {
    api.post(
      endpoint.path,
      {
        bodyLimit,
        schema: {
          operationId: operationId(endpoint.name),
          summary: endpoint.summary,
          description: endpoint.description,
          tags: ['classification'],
          body: endpoint.requestSchema,
          querystring: querystringSchema,
          headers: headersSchema,
          security: [{}, { bearerAuth: [] }],
          response: {
            200: { description: endpoint.summary, content: { 'application/json': { schema: endpoint.responseSchema } } },
            ...PROBLEM_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const payload = await readPayload(
          request,
          { fileParts: endpoint.fileParts, examples: endpoint.examplesPart === true },
          { fieldSizeBytes, fileSizeBytes: bodyLimit },
        );
        const outcome = await api.compute.execute(endpoint.name, payload, 'json');
        api.metrics.observeComputation(endpoint.name, outcome.computeMs / 1000, outcome.n, outcome.k);
        reply.header('server-timing', `queue;dur=${outcome.waitMs.toFixed(1)}, compute;dur=${outcome.computeMs.toFixed(1)}`);
        return reply.type('application/json; charset=utf-8').send(outcome.json);
      },
    );
  }
}

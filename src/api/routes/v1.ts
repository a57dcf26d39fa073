/**
 * The /v1 compute routes: one POST per service endpoint (src/service ENDPOINTS).
 *
 * This is an encapsulated plugin that owns the zod compilers (fastify-type-provider-zod),
 * so the rest of the app (and plugins such as under-pressure) keep fastify's defaults.
 * The body schema of each route is the endpoint's zod `requestSchema`, used for the
 * OpenAPI document only: bodies arrive as raw bytes and are decoded and validated in one
 * pass in the worker, never element by element by zod on the event loop. The options
 * are validated in the worker too, with the endpoint's zod `optionsSchema`.
 */
import multipart from '@fastify/multipart';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../../schemas/common.js';
import type { EndpointSpec } from '../../service/types.js';
import { collectBody } from '../collect.js';
import { OPTIONS_HEADER, readPayload, type RawBody } from '../ingest.js';
import { PROBLEM_CONTENT_TYPE } from '../plugins/problem.js';

export interface V1RoutesOptions extends Record<string, unknown> {
  endpoints: readonly EndpointSpec[];
  bodyLimitBytes: number;
}

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';
export const ARROW_FILE = 'application/vnd.apache.arrow.file';

/** Text parts (the `options` JSON) are small; arrays travel as files. */
const FIELD_SIZE_LIMIT = 16 * 1024 * 1024;

/**
 * Bodies are never validated here (they are raw bytes; the worker validates them);
 * the other parts (querystring) are validated by zod.
 */
const validatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) => {
  if (route.httpPart === 'body' || route.httpPart === 'headers') return () => true;
  return zodValidatorCompiler(route);
};

/** Responses are serialised in the worker (bytes); error bodies are plain objects. */
const serializerCompiler = () => (data: unknown) => JSON.stringify(data);

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

function problemResponse(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } };
}

export const PROBLEM_RESPONSES = {
  400: problemResponse('Invalid input: `errors[]` names each field (and the first bad row/column).'),
  401: problemResponse('Missing or wrong API key (only when the server sets API_KEY).'),
  413: problemResponse('Body (or a multipart file part) larger than BODY_LIMIT_MB.'),
  415: problemResponse('Unsupported Content-Type.'),
  500: problemResponse('Unexpected server error (logged with the request id).'),
  503: problemResponse('Overloaded (worker pool full or under pressure) or not ready: retry after `Retry-After` seconds.'),
};

function operationId(name: string): string {
  return name.replace(/[/-]+([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export default async function v1Routes(api: FastifyInstance, opts: V1RoutesOptions): Promise<void> {
  api.setValidatorCompiler(validatorCompiler);
  api.setSerializerCompiler(serializerCompiler);

  // Only the content types we decode; anything else is fastify's 415.
  api.removeAllContentTypeParsers();
  const bodyLimit = opts.bodyLimitBytes;
  // Raw bytes, copied chunk by chunk into one buffer (collect.ts), parsed in the worker.
  api.addContentTypeParser('application/json', async (request: FastifyRequest, payload: IncomingMessage) => {
    return { type: 'json', bytes: await collectBody(payload, request.headers, bodyLimit) } satisfies RawBody;
  });
  api.addContentTypeParser([ARROW_STREAM, ARROW_FILE], async (request: FastifyRequest, payload: IncomingMessage) => {
    return { type: 'arrow', bytes: await collectBody(payload, request.headers, bodyLimit) } satisfies RawBody;
  });
  await api.register(multipart, {
    // @fastify/multipart ignores the route bodyLimit; its own fileSize default is 1 MiB.
    limits: {
      fileSize: bodyLimit,
      fieldSize: Math.min(bodyLimit, FIELD_SIZE_LIMIT),
      files: 16,
      fields: 16,
      parts: 32,
    },
  });

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
        const payload = await readPayload(request, endpoint.fileParts, { fieldSizeBytes, fileSizeBytes: bodyLimit });
        const outcome = await api.compute.execute(endpoint.name, payload, 'json');
        api.metrics.observeComputation(endpoint.name, outcome.computeMs / 1000, outcome.n, outcome.k);
        reply.header('server-timing', `queue;dur=${outcome.waitMs.toFixed(1)}, compute;dur=${outcome.computeMs.toFixed(1)}`);
        return reply.type('application/json; charset=utf-8').send(outcome.json);
      },
    );
  }
}

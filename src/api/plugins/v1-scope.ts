/**
 * The /v1 scope: what the compute routes (routes/v1.ts) and the jobs routes
 * (src/jobs/plugin.ts) share, registered ONCE for both:
 *
 *   auth           Authorization: Bearer <key> (API_KEY / API_KEYS, when configured); sets request.caller
 *   load shedding  pool admission and @fastify/under-pressure (503 + Retry-After)
 *   compilers      zod for params and querystrings (fastify-type-provider-zod); bodies
 *                  and headers are never validated here (raw bytes, checked in one pass
 *                  by src/io in the worker); responses are JSON.stringify-ed
 *   body parsers   application/json and Arrow IPC → RawBody (the bytes, collected chunk
 *                  by chunk, collect.ts); multipart/form-data (@fastify/multipart);
 *                  any other type only on routes that set `config: { rawStream: true }`
 *                  (upload parts: the stream itself), elsewhere fastify's 415
 *
 * Errors are answered by the app's one error handler (plugins/problem.ts), which this
 * scope inherits. The rest of the app (health, metrics, docs) keeps fastify's defaults.
 */
import multipart from '@fastify/multipart';
import type { IncomingMessage } from 'node:http';
import { errorCodes, type FastifyInstance, type FastifyRequest, type FastifySchemaCompiler } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { ApiKey } from '../../config.js';
import { collectBody } from '../collect.js';
import { ARROW_FILE, ARROW_STREAM, type RawBody } from '../ingest.js';
import { shared } from '../plugin.js';
import auth from './auth.js';
import loadShedding from './load-shedding.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Accept a body of any content type as the raw request stream (upload parts). */
    rawStream?: boolean;
  }
}

export interface V1ScopeOptions extends Record<string, unknown> {
  /** Accepted keys with their names (empty: no auth, single-user mode). */
  keys: ApiKey[];
  retryAfterSeconds: number;
  maxEventLoopDelayMs: number;
  maxRssMb: number;
  bodyLimitBytes: number;
}

/** Text parts (the `options` JSON) are small; arrays travel as files. */
export const FIELD_SIZE_LIMIT = 16 * 1024 * 1024;

const validatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) => {
  if (route.httpPart === 'body' || route.httpPart === 'headers') return () => true;
  return zodValidatorCompiler(route);
};

/** Response bodies are plain objects (or bytes serialised in the worker). */
const serializerCompiler = () => (data: unknown) => JSON.stringify(data);

async function v1ScopePlugin(v1: FastifyInstance, opts: V1ScopeOptions): Promise<void> {
  await v1.register(auth, { keys: opts.keys });
  await v1.register(loadShedding, {
    retryAfterSeconds: opts.retryAfterSeconds,
    maxEventLoopDelayMs: opts.maxEventLoopDelayMs,
    maxRssMb: opts.maxRssMb,
  });
  v1.setValidatorCompiler(validatorCompiler);
  v1.setSerializerCompiler(serializerCompiler);

  const bodyLimit = opts.bodyLimitBytes;
  v1.removeAllContentTypeParsers();
  v1.addContentTypeParser('application/json', async (request: FastifyRequest, payload: IncomingMessage) => {
    return { type: 'json', bytes: await collectBody(payload, request.headers, bodyLimit) } satisfies RawBody;
  });
  v1.addContentTypeParser([ARROW_STREAM, ARROW_FILE], async (request: FastifyRequest, payload: IncomingMessage) => {
    return { type: 'arrow', bytes: await collectBody(payload, request.headers, bodyLimit) } satisfies RawBody;
  });
  v1.addContentTypeParser('*', (request, payload, done) => {
    if (request.routeOptions.config.rawStream === true) return done(null, payload);
    done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(request.headers['content-type']));
  });
  await v1.register(multipart, {
    // @fastify/multipart ignores the route bodyLimit; its own fileSize default is 1 MiB.
    limits: {
      fileSize: bodyLimit,
      fieldSize: Math.min(bodyLimit, FIELD_SIZE_LIMIT),
      files: 16,
      fields: 16,
      parts: 32,
    },
  });
}

export default shared(v1ScopePlugin, 'labelcheck-v1-scope');

/**
 * The OpenAPI 3.1 document (GET /openapi.json) and Swagger UI (GET /docs), generated from
 * the same zod schemas the service validates with. openapi/openapi.json is this document,
 * written by `npm run openapi`; a test fails when the committed copy is stale.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { EndpointSpec } from '../../service/types.js';
import { createOpenApiTransform, openApiTransformObject, registerComponentSchemas } from '../openapi.js';
import { shared } from '../plugin.js';

export interface DocsOptions extends Record<string, unknown> {
  endpoints: readonly EndpointSpec[];
  version: string;
}

export const API_DESCRIPTION = [
  'Find label errors in ML datasets with confident learning, exact to cleanlab 2.9.',
  '',
  'Every compute route takes the same request three ways: a JSON body; `multipart/form-data` with',
  '`.npy` file parts (`pred_probs`, `labels`) and an `options` JSON text part; or an Arrow IPC stream',
  'with options in `?options=<json>` / `x-labelcheck-options`. Errors are RFC 9457 problem+json with',
  '`errors[]` naming each field. When the server sets `API_KEY` or `API_KEYS`, send `Authorization: Bearer <key>`;',
  "jobs and uploads belong to the key that created them (another key gets 404; the key named admin sees all).",
].join('\n');

async function docsPlugin(app: FastifyInstance, opts: DocsOptions): Promise<void> {
  registerComponentSchemas();
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'labelcheck', version: opts.version, description: API_DESCRIPTION, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
      tags: [
        { name: 'classification', description: 'Confident learning on (labels, pred_probs).' },
        { name: 'operations', description: 'Health, readiness and metrics.' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key, when the server sets API_KEY or API_KEYS.' },
        },
      },
    },
    transform: createOpenApiTransform(opts.endpoints),
    transformObject: openApiTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

export default shared(docsPlugin, 'labelcheck-docs');

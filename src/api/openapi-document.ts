/**
 * The OpenAPI document as the running app serves it, built without starting workers or
 * loading tfjs, and its canonical text (what openapi/openapi.json holds).
 */
import { testConfig } from '../config.js';
import { buildApp } from './app.js';

export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const app = buildApp(testConfig({ workers: 1, maxQueue: 0 }), {
    startPool: false,
    logger: false,
    backend: async () => ({ backend: 'cpu', package: '@tensorflow/tfjs' }),
  });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

export async function openApiText(): Promise<string> {
  return JSON.stringify(await buildOpenApiDocument(), null, 2) + '\n';
}

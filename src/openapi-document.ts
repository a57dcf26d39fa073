/**
 * The OpenAPI document as the running app serves it, built without starting workers or
 * loading tfjs, and its canonical text (what openapi/openapi.json holds). A composition
 * root like cli.ts and server.ts: it assembles api (the app) and jobs (its routes), so
 * that neither layer imports the other's internals.
 */
import type { FastifyPluginAsync } from 'fastify';
import { buildApp } from './api/app.js';
import { testConfig } from './config.js';
import { createJobsPlugin } from './jobs/plugin.js';
import { createWebPlugin } from './web/plugin.js';

/**
 * Extra /v1 plugins documented in openapi/openapi.json (e.g. the jobs routes, created so
 * that they do not open a store). Register them here so that `npm run openapi`, the
 * freshness test and the served document agree.
 */
export const documentedV1Plugins: FastifyPluginAsync[] = [createJobsPlugin({ openStore: false, runner: 'none' })];

/** The browser pages (review app, assets, media) outside /v1. */
export const documentedRootPlugins: FastifyPluginAsync[] = [createWebPlugin()];

export async function buildOpenApiDocument(v1Plugins: FastifyPluginAsync[] = documentedV1Plugins): Promise<Record<string, unknown>> {
  const app = buildApp(testConfig({ workers: 1, maxQueue: 0 }), {
    startPool: false,
    logger: false,
    backend: async () => ({ backend: 'cpu', package: '@tensorflow/tfjs' }),
    v1Plugins,
    rootPlugins: documentedRootPlugins,
  });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

export async function openApiText(v1Plugins?: FastifyPluginAsync[]): Promise<string> {
  return JSON.stringify(await buildOpenApiDocument(v1Plugins), null, 2) + '\n';
}

/**
 * The app with the jobs routes and the browser pages, over a test store, and the committed
 * demo dataset (seeds/demo: 2,000 captioned examples, 10 classes, injected label errors)
 * submitted as a label-issues job and run to completion.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { testConfig, type Config } from '../../src/config.js';
import { createJobsPlugin } from '../../src/jobs/plugin.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { parseExamplesJsonl } from '../../src/service/examples.js';
import { createWebPlugin } from '../../src/web/plugin.js';
import type { StoreEnv } from '../jobs/helpers.js';

const SEEDS = join(import.meta.dirname, '..', '..', 'seeds', 'demo');

export function demoRequest(): { labels: number[]; pred_probs: number[][]; class_names: string[] } {
  return JSON.parse(readFileSync(join(SEEDS, 'request.json'), 'utf8'));
}

export function demoExamplesJsonl(): string {
  return readFileSync(join(SEEDS, 'examples.jsonl'), 'utf8');
}

export function reviewApp(env: StoreEnv, config: Partial<Config> = {}): FastifyInstance {
  return buildApp(testConfig({ workers: 1, maxEventLoopDelayMs: 0, ...config }), {
    startPool: false,
    logger: false,
    v1Plugins: [createJobsPlugin({ config: env.cfg, store: env.store, runner: 'none' })],
    rootPlugins: [createWebPlugin()],
  });
}

const auth = (key?: string): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});

/** Submit a label-issues job and run it; returns its id. */
export async function runJob(app: FastifyInstance, env: StoreEnv, body: Record<string, unknown>, apiKey?: string): Promise<string> {
  const r = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { kind: 'label-issues', ...body }, headers: auth(apiKey) });
  if (r.statusCode !== 202) throw new Error(`POST /v1/jobs: ${r.statusCode} ${r.body}`);
  const runner = new JobRunner(env.store, env.cfg, { purgeEveryMs: 3_600_000 });
  while (await runner.runOnce()) {
    /* run every queued job */
  }
  const id = r.json().id as string;
  const job = await env.store.getJob(id);
  if (job?.status !== 'succeeded') throw new Error(`job ${id} ${job?.status}: ${JSON.stringify(job?.error)}`);
  return id;
}

/** The demo dataset with its captions, as one label-issues job. */
export function runDemoJob(app: FastifyInstance, env: StoreEnv, apiKey?: string): Promise<string> {
  return runJob(app, env, { ...demoRequest(), examples: parseExamplesJsonl(demoExamplesJsonl()) }, apiKey);
}

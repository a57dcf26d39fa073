/** Shared helpers for the API tests (not a test file itself). */
import type { Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/api/app.js';
import { testConfig, type Config } from '../../src/config.js';
import { writeNpy } from '../../src/io/npy.js';
import { makePeakedDataset, type PeakedDataset } from '../../seeds/synthetic.js';
import { multipart, type FormPart } from '../helpers/multipart.js';

export type Dataset = PeakedDataset;
/** A classification set that looks like real out-of-sample predictions (seeds/synthetic.ts). */
export const syntheticDataset = makePeakedDataset;

export function toRows(d: Dataset): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < d.n; i++) rows.push(Array.from(d.predProbs.subarray(i * d.k, (i + 1) * d.k)));
  return rows;
}

export function jsonBody(d: Dataset, options: Record<string, unknown> = {}): Record<string, unknown> {
  return { labels: Array.from(d.labels), pred_probs: toRows(d), ...options };
}

export function npyParts(d: Dataset): { pred_probs: Uint8Array; labels: Uint8Array } {
  const f32 = d.predProbs instanceof Float32Array;
  return {
    pred_probs: writeNpy(d.predProbs, f32 ? '<f4' : '<f8', [d.n, d.k]),
    labels: writeNpy(d.labels, '<i8', [d.n]),
  };
}

export { multipart, type FormPart } from '../helpers/multipart.js';

/** The standard form: pred_probs.npy + labels.npy (+ options JSON). */
export function npyForm(d: Dataset, options?: Record<string, unknown>): { payload: Buffer; headers: Record<string, string> } {
  const p = npyParts(d);
  const parts: FormPart[] = [
    { name: 'pred_probs', filename: 'pred_probs.npy', data: p.pred_probs },
    { name: 'labels', filename: 'labels.npy', data: p.labels },
  ];
  if (options !== undefined) parts.push({ name: 'options', data: JSON.stringify(options) });
  return multipart(parts);
}

/** Build an app with a started worker pool; closed at the end of the test. */
export async function startApp(t: Test, overrides: Partial<Config> = {}, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = buildApp(testConfig({ workers: 1, ...overrides }), { logger: false, ...deps });
  t.teardown(() => app.close());
  await app.ready();
  await app.compute.start();
  return app;
}

/** Assert an RFC 9457 problem response and return its body. */
export function expectProblem(
  t: Test,
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  field?: string | RegExp,
  label = '',
): Record<string, any> {
  t.equal(res.statusCode, status, `${label} status ${status}`);
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${label} problem content type`);
  let body: Record<string, any> = {};
  try {
    body = JSON.parse(res.body);
  } catch {
    t.fail(`${label} body is not JSON: ${res.body.slice(0, 200)}`);
    return body;
  }
  t.equal(body.status, status, `${label} problem.status`);
  t.type(body.type, 'string', `${label} problem.type`);
  t.type(body.title, 'string', `${label} problem.title`);
  t.type(body.detail, 'string', `${label} problem.detail`);
  if (field !== undefined) {
    const paths: string[] = (body.errors ?? []).map((e: { path: string }) => e.path);
    const ok = paths.some((p) => (typeof field === 'string' ? p === field || p.startsWith(field + '[') || p.startsWith(field + '.') : field.test(p)));
    t.ok(ok, `${label} errors[] names ${String(field)} (got ${JSON.stringify(paths)}; detail: ${body.detail})`);
  }
  return body;
}

/** Shared helpers for the API tests (not a test file itself). */
import type { Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/api/app.js';
import { testConfig, type Config } from '../../src/config.js';
import { writeNpy } from '../../src/io/npy.js';

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Dataset {
  n: number;
  k: number;
  labels: Int32Array;
  /** Row-major N×K, rows sum to 1. */
  predProbs: Float64Array | Float32Array;
}

/**
 * A classification set that looks like real out-of-sample predictions: a true class per
 * example, probabilities peaked on it (sometimes on a confusable neighbour), and a share
 * of the given labels flipped.
 */
export function syntheticDataset(n: number, k: number, seed = 1, opts: { noise?: number; float32?: boolean } = {}): Dataset {
  const r = rng(seed);
  const noise = opts.noise ?? 0.15;
  const predProbs = opts.float32 ? new Float32Array(n * k) : new Float64Array(n * k);
  const labels = new Int32Array(n);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const truth = Math.floor(r() * k);
    const peak = r() < 0.8 ? truth : (truth + 1) % k;
    let s = 0;
    for (let j = 0; j < k; j++) {
      const v = (j === peak ? 2 + 6 * r() : 0) + r() * 0.8 + 1e-3;
      row[j] = v;
      s += v;
    }
    for (let j = 0; j < k; j++) predProbs[i * k + j] = row[j]! / s;
    labels[i] = r() < noise ? Math.floor(r() * k) : truth;
  }
  return { n, k, labels, predProbs };
}

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

export interface FormPart {
  name: string;
  /** Present → a file part. */
  filename?: string;
  contentType?: string;
  data: Uint8Array | string;
}

/** Build a multipart/form-data body by hand (what requests/curl send). */
export function multipart(parts: FormPart[], boundary = '----labelcheck-test-boundary-7MA4YWxkTrZu0gW'): { payload: Buffer; headers: Record<string, string> } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    else if (p.filename !== undefined) head += 'Content-Type: application/octet-stream\r\n';
    head += '\r\n';
    chunks.push(Buffer.from(head, 'utf8'));
    chunks.push(typeof p.data === 'string' ? Buffer.from(p.data, 'utf8') : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

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

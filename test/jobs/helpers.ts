/**
 * Test helpers for the jobs suite: the stores to run every test against (SQLite always,
 * PostgreSQL when TEST_DATABASE_URL is set, each in a unique schema dropped afterwards).
 * Uploads are stored as each store's default does: files with SQLite, rows in the database
 * with PostgreSQL (UPLOAD_STORAGE).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import pg from 'pg';
import { blobsFor, closeBlobs } from '../../src/jobs/blobs/index.js';
import { uploadDir } from '../../src/jobs/files.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { resolveJobsConfig, type JobsConfig } from '../../src/jobs/config.js';
import { openJobStore, PostgresJobStore, type JobStore } from '../../src/jobs/store/index.js';
import { multipart as formData } from '../helpers/multipart.js';
import { mulberry32 } from '../../seeds/synthetic.js';

export interface StoreEnv {
  name: 'sqlite' | 'postgres';
  cfg: JobsConfig;
  store: JobStore;
  /** Close the store, drop the PostgreSQL schema, remove the temp dir. */
  cleanup(): Promise<void>;
}

export const STORE_KINDS: ('sqlite' | 'postgres')[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export function tempDir(prefix = 'lc-jobs-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function uniqueSchema(): string {
  return `lc_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function openStoreEnv(name: 'sqlite' | 'postgres', extra: Partial<JobsConfig> = {}): Promise<StoreEnv> {
  const dir = tempDir();
  const cfg = resolveJobsConfig({
    dataDir: dir,
    databaseUrl: name === 'postgres' ? process.env.TEST_DATABASE_URL! : null,
    pgSchema: name === 'postgres' ? uniqueSchema() : 'public',
    ...extra,
  });
  const store = await openJobStore(cfg);
  return {
    name,
    cfg,
    store,
    async cleanup() {
      await closeBlobs(cfg);
      if (store instanceof PostgresJobStore) await store.dropSchema();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Ids of the uploads with bytes in the upload storage. */
export function storedUploads(env: StoreEnv): Promise<string[]> {
  return blobsFor(env.cfg).ids();
}

/** What the upload storage holds for one upload: file names, or `chunk <part>.<seq>` rows. */
export async function storedEntries(env: StoreEnv, id: string): Promise<string[]> {
  if (env.cfg.uploadStorage === 'files') {
    try {
      return readdirSync(uploadDir(env.cfg.dataDir, id));
    } catch {
      return [];
    }
  }
  const c = new pg.Client({ connectionString: env.cfg.databaseUrl!, options: `-c search_path=${env.cfg.pgSchema}` });
  await c.connect();
  try {
    const r = await c.query<{ part: number; seq: number }>('SELECT part, seq FROM upload_chunks WHERE upload_id = $1 ORDER BY part, seq', [id]);
    return r.rows.map((x) => `chunk ${x.part}.${x.seq}`);
  } finally {
    await c.end();
  }
}

export interface Data {
  n: number;
  k: number;
  labels: number[];
  /** row-major N×K */
  probs: Float64Array;
}

/** Noisy labels and peaked, row-normalised probabilities, values rounded to 1e-4 (ties happen). */
export function synthetic(n: number, k: number, seed = 1, noise = 0.2): Data {
  const r = mulberry32(seed);
  const labels: number[] = [];
  const probs = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const truth = Math.floor(r() * k);
    const given = r() < noise ? Math.floor(r() * k) : truth;
    labels.push(given);
    let s = 0;
    for (let j = 0; j < k; j++) {
      const v = Math.round((r() + (j === truth ? 2 + 3 * r() : 0)) * 1e4) / 1e4;
      probs[i * k + j] = v;
      s += v;
    }
    for (let j = 0; j < k; j++) probs[i * k + j] = probs[i * k + j]! / s;
  }
  return { n, k, labels, probs };
}

export function rows(d: Data): number[][] {
  return Array.from({ length: d.n }, (_, i) => Array.from(d.probs.subarray(i * d.k, (i + 1) * d.k)));
}

export interface FormPart {
  name: string;
  filename?: string;
  value: string | Uint8Array;
}

/** multipart/form-data body, as requests/curl send it (file parts octet-stream, fields text/plain). */
export function multipart(parts: FormPart[], boundary = 'lc-jobs-boundary-9Zx'): { payload: Buffer; headers: Record<string, string> } {
  return formData(
    parts.map((p) => ({ name: p.name, ...(p.filename ? { filename: p.filename } : { contentType: 'text/plain' }), data: p.value })),
    boundary,
  );
}

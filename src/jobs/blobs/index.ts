/**
 * The upload storage of a jobs configuration (UPLOAD_STORAGE, see types.ts): one instance
 * per storage location and process, opened on first use. Also the clean-up of the local
 * copies the database storage materialises for running jobs (DATA_DIR/tmp).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ConfigError } from '../../config.js';
import type { NpyHeader } from '../../io/npy.js';
import type { JobsConfig } from '../config.js';
import type { JobStore } from '../store/types.js';
import { FileBlobStore } from './files.js';
import { PgBlobStore } from './postgres.js';
import { readNpyHeaderFrom, type BlobStore } from './types.js';

export type { BlobStore, LocalFile, WriteLimits, Written } from './types.js';
export { mapDiskError, meter } from './types.js';
export { streamToFile } from './files.js';

const open = new Map<string, BlobStore>();

function keyOf(cfg: JobsConfig): string {
  return cfg.uploadStorage === 'database' ? `database\0${cfg.databaseUrl}\0${cfg.pgSchema}\0${cfg.dataDir}` : `files\0${cfg.dataDir}`;
}

/** The upload storage the configuration names (opened on first use, then shared). */
export function blobsFor(cfg: JobsConfig): BlobStore {
  const key = keyOf(cfg);
  let b = open.get(key);
  if (!b) {
    if (cfg.uploadStorage === 'database') {
      if (cfg.databaseUrl === null) throw new Error('UPLOAD_STORAGE=database needs DATABASE_URL');
      b = new PgBlobStore({ connectionString: cfg.databaseUrl, schema: cfg.pgSchema, dataDir: cfg.dataDir });
    } else {
      b = new FileBlobStore(cfg.dataDir);
    }
    open.set(key, b);
  }
  return b;
}

/** Close the configuration's upload storage (its database connections); reopened on next use. */
export async function closeBlobs(cfg: JobsConfig): Promise<void> {
  const key = keyOf(cfg);
  const b = open.get(key);
  open.delete(key);
  await b?.close();
}

/** The `.npy` header of a completed upload (reads only the header bytes). */
export function uploadNpyHeader(cfg: JobsConfig, id: string, field: string): Promise<NpyHeader> {
  const blobs = blobsFor(cfg);
  return readNpyHeaderFrom((want) => blobs.readDataPrefix(id, want), field);
}

/** The whole bytes of a completed upload (the caller knows they fit in memory). */
export function readUploadBytes(cfg: JobsConfig, id: string): Promise<Buffer> {
  return blobsFor(cfg).readData(id);
}

/** Remove the stored bytes of these uploads (their rows are gone). */
export async function removeUploadBytes(cfg: JobsConfig, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await blobsFor(cfg).remove(ids);
}

/** Name of a job's local copy of an input (DATA_DIR/tmp/job-<id>-<field>.<random>.npy). */
export function scratchTag(jobId: string, field: string): string {
  return `job-${jobId}-${field}`;
}

/**
 * Retention of local state: remove DATA_DIR/tmp copies of jobs that no longer run (their
 * worker was killed; whoever took the job over made its own copy) and, in the database,
 * bytes whose upload row is gone (a process died between the two deletes).
 */
export async function sweepUploads(store: JobStore, cfg: JobsConfig): Promise<{ scratch: number; orphans: number }> {
  let scratch = 0;
  const dir = join(cfg.dataDir, 'tmp');
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    /* none */
  }
  for (const f of names) {
    const m = /^job-([0-9a-f-]{36})-/.exec(f);
    if (!m) continue;
    const job = await store.getJob(m[1]!);
    if (job?.status === 'running') continue;
    await rm(join(dir, f), { force: true });
    scratch++;
  }
  const orphans = await blobsFor(cfg).sweep();
  return { scratch, orphans };
}

/** The file in DATA_DIR naming its volume (UPLOAD_STORAGE=files with a database). */
export const VOLUME_MARKER = '.labelcheck-volume';

/**
 * UPLOAD_STORAGE=files with DATABASE_URL needs one DATA_DIR volume shared by every API
 * replica and worker. Checked at start-up: the first process writes a volume id into
 * DATA_DIR/.labelcheck-volume and records it in the database; a process whose DATA_DIR
 * does not hold that id (another disk) refuses to start, saying so. No-op otherwise.
 */
export async function checkSharedDataDir(cfg: JobsConfig): Promise<void> {
  if (cfg.uploadStorage !== 'files' || cfg.databaseUrl === null) return;
  const marker = join(cfg.dataDir, VOLUME_MARKER);
  await mkdir(cfg.dataDir, { recursive: true });
  const fresh = `${randomUUID()} ${hostname()}:${cfg.dataDir}`;
  try {
    await writeFile(marker, fresh + '\n', { flag: 'wx' }); // exclusive: processes starting together agree
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw e;
  }
  const mine = (await readFile(marker, 'utf8')).trim();
  const c = new pg.Client({ connectionString: cfg.databaseUrl, options: `-c search_path=${cfg.pgSchema}` });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO labelcheck_settings (key, value, updated_at) VALUES ('files_volume', $1, $2) ON CONFLICT (key) DO NOTHING`,
      [mine, Date.now()],
    );
    const r = await c.query<{ value: string }>(`SELECT value FROM labelcheck_settings WHERE key = 'files_volume'`);
    const recorded = r.rows[0]!.value;
    if (recorded !== mine) {
      throw new ConfigError({
        UPLOAD_STORAGE:
          `files needs DATA_DIR to be one volume shared by every replica, but ${cfg.dataDir} is not the volume the other replicas use ` +
          `(its ${VOLUME_MARKER} says "${mine}", the database records "${recorded}"). Mount the shared volume at DATA_DIR, ` +
          `or set UPLOAD_STORAGE=database to keep upload bytes in PostgreSQL (after moving to a new shared volume on purpose: ` +
          `DELETE FROM labelcheck_settings WHERE key = 'files_volume')`,
      });
    }
  } finally {
    await c.end();
  }
}

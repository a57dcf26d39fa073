/**
 * Test helpers for the jobs suite: the stores to run every test against (SQLite always,
 * PostgreSQL when TEST_DATABASE_URL is set, each in a unique schema dropped afterwards).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { resolveJobsConfig, type JobsConfig } from '../../src/jobs/config.js';
import { openJobStore, PostgresJobStore, type JobStore } from '../../src/jobs/store/index.js';

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
      if (store instanceof PostgresJobStore) await store.dropSchema();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

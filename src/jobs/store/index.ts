/** Open the configured job store: PostgreSQL when DATABASE_URL is set, else SQLite in DATA_DIR. */
import { join } from 'node:path';
import type { JobsConfig } from '../config.js';
import { PostgresJobStore } from './postgres.js';
import { SqliteJobStore } from './sqlite.js';
import type { JobStore } from './types.js';

export type { JobStore } from './types.js';
export * from './types.js';
export { SqliteJobStore } from './sqlite.js';
export { PostgresJobStore } from './postgres.js';

/** Open and initialise (create tables / migrate) the store the config names. */
export async function openJobStore(cfg: JobsConfig): Promise<JobStore> {
  const store: JobStore =
    cfg.databaseUrl !== null
      ? new PostgresJobStore({ connectionString: cfg.databaseUrl, schema: cfg.pgSchema })
      : new SqliteJobStore({ file: join(cfg.dataDir, 'labelcheck.db') });
  try {
    await store.init();
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
  return store;
}

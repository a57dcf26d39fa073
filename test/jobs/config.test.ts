import t from 'tap';
import { resolve } from 'node:path';
import { buildApp } from '../../src/api/app.js';
import { ConfigError, testConfig } from '../../src/config.js';
import { jobsConfigFromAppConfig, jobsConfigFromEnv, resolveJobsConfig } from '../../src/jobs/config.js';
import { createJobsPlugin } from '../../src/jobs/plugin.js';

t.test('defaults and environment overrides', async (t) => {
  const d = jobsConfigFromEnv({});
  t.equal(d.dataDir, resolve('data'));
  t.equal(d.databaseUrl, null);
  t.equal(d.jobTtlHours, 168);
  t.equal(d.memoryBudgetBytes, 256 * 2 ** 20);
  t.equal(d.diskBudgetBytes, null);
  t.equal(d.runner, 'thread');
  const e = jobsConfigFromEnv({
    DATA_DIR: '/tmp/x',
    DATABASE_URL: 'postgres://u@h/db',
    JOB_TTL_HOURS: '2',
    JOB_MEMORY_BUDGET_MB: '64',
    JOB_DISK_BUDGET_MB: '10',
    JOB_LEASE_SECONDS: '5',
    JOB_MAX_ATTEMPTS: '4',
    JOB_RUNNER: 'off',
    UNRELATED: 'x',
  });
  t.match(e, { dataDir: '/tmp/x', databaseUrl: 'postgres://u@h/db', jobTtlHours: 2, memoryBudgetBytes: 64 * 2 ** 20, diskBudgetBytes: 10 * 2 ** 20, leaseMs: 5000, maxAttempts: 4, runner: 'off' });
  const a = jobsConfigFromAppConfig({ dataDir: 'rel', databaseUrl: undefined, jobTtlHours: 3 }, { JOB_POLL_MS: '50', DATA_DIR: '/ignored' });
  t.equal(a.dataDir, resolve('rel'), 'the service config wins for DATA_DIR');
  t.equal(a.jobTtlHours, 3);
  t.equal(a.pollMs, 50);
});

t.test('bad values name the variable', async (t) => {
  t.throws(() => jobsConfigFromEnv({ JOB_MEMORY_BUDGET_MB: 'lots' }), ConfigError);
  try {
    jobsConfigFromEnv({ JOB_MEMORY_BUDGET_MB: 'lots', JOB_RUNNER: 'sometimes' });
    t.fail('should throw');
  } catch (e) {
    t.match((e as ConfigError).variables, { JOB_MEMORY_BUDGET_MB: /got "lots"/, JOB_RUNNER: /sometimes/ });
  }
  t.throws(() => resolveJobsConfig({ databaseUrl: 'mysql://x' }), /postgres/);
});

t.test('upload storage, schema, chunk rows and worker metrics port', async (t) => {
  t.equal(jobsConfigFromEnv({}).uploadStorage, 'files', 'no database: files');
  const db = jobsConfigFromEnv({ DATABASE_URL: 'postgres://u@h/db' });
  t.equal(db.uploadStorage, 'database', 'with DATABASE_URL: the database by default');
  t.equal(jobsConfigFromEnv({ DATABASE_URL: 'postgres://u@h/db', UPLOAD_STORAGE: 'files' }).uploadStorage, 'files', 'files on a shared volume on request');
  const app = jobsConfigFromAppConfig({ dataDir: 'd', databaseUrl: 'postgres://u@h/db', jobTtlHours: 1 }, { DATABASE_SCHEMA: 'lab_1', JOB_MAX_CHUNK_ROWS: '64', METRICS_PORT: '9464' });
  t.match(app, { uploadStorage: 'database', pgSchema: 'lab_1', maxChunkRows: 64, metricsPort: 9464 });
  t.equal(jobsConfigFromAppConfig({ dataDir: 'd', databaseUrl: undefined, jobTtlHours: 1 }, {}).uploadStorage, 'files');
  try {
    jobsConfigFromEnv({ UPLOAD_STORAGE: 'database' });
    t.fail('should throw');
  } catch (e) {
    t.match((e as ConfigError).variables, { UPLOAD_STORAGE: /needs DATABASE_URL/ });
  }
  try {
    jobsConfigFromEnv({ UPLOAD_STORAGE: 's3', DATABASE_SCHEMA: 'drop table', METRICS_PORT: '70000' });
    t.fail('should throw');
  } catch (e) {
    t.match((e as ConfigError).variables, { UPLOAD_STORAGE: /s3/, DATABASE_SCHEMA: /identifier/, METRICS_PORT: /70000/ });
  }
});

t.test('OpenAPI document lists the jobs routes (store not opened)', async (t) => {
  const app = buildApp(testConfig(), {
    startPool: false,
    logger: false,
    v1Plugins: [createJobsPlugin({ config: resolveJobsConfig({ dataDir: '/nonexistent/never-created' }), openStore: false })],
  });
  t.teardown(() => app.close());
  await app.ready();
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  for (const p of ['/v1/jobs', '/v1/jobs/{id}', '/v1/jobs/{id}/result', '/v1/jobs/{id}/label-issues', '/v1/uploads', '/v1/uploads/{id}', '/v1/uploads/{id}/parts/{n}', '/v1/uploads/{id}/complete']) {
    t.ok(doc.paths[p], `${p} documented`);
  }
  t.ok(doc.paths['/v1/jobs'].post.requestBody, 'job request body documented');
  t.same(Object.keys(doc.paths['/v1/jobs/{id}']).sort(), ['delete', 'get']);
  const r = await app.inject({ method: 'GET', url: '/v1/jobs' });
  t.equal(r.statusCode, 503);
});

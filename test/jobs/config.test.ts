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

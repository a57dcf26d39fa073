/** `labelcheck worker`: a process that only executes jobs (see runner-host.ts). */
import pino from 'pino';
import { ConfigError, loadConfig } from '../config.js';
import { jobsConfigFromAppConfig } from './config.js';
import { serveWorkerMetrics, type MetricsServer } from './metrics.js';
import { runWorker } from './runner-host.js';

export async function runWorkerFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`labelcheck worker: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel, name: 'labelcheck-worker' });
  const cfg = jobsConfigFromAppConfig(config, env);
  let metrics: MetricsServer | null = null;
  const handle = await runWorker(cfg, { log, onJobEnd: (e) => metrics?.metrics.jobEnded(e) });
  if (cfg.metricsPort !== null) {
    metrics = await serveWorkerMetrics(cfg.metricsPort, config.host, handle.runner.store);
    log.info({ metrics: `${metrics.url}/metrics` }, 'worker metrics listening');
  }
  log.info(
    { store: cfg.databaseUrl ? 'postgres' : 'sqlite', uploadStorage: cfg.uploadStorage, dataDir: cfg.dataDir, owner: handle.runner.owner },
    'job worker started',
  );
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info({ signal }, 'job worker stopping: the running job goes back to the queue');
    void Promise.all([handle.stop(), metrics?.close()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

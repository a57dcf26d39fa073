/** Child process for the durability test: runs a job worker with the config in LC_TEST_JOBS_CONFIG. */
import { runWorker } from '../../src/jobs/runner-host.js';
import type { JobsConfig } from '../../src/jobs/config.js';

const cfg = JSON.parse(process.env.LC_TEST_JOBS_CONFIG!) as JobsConfig;
const handle = await runWorker(cfg, { owner: process.env.LC_TEST_OWNER ?? `child-${process.pid}` });
process.send?.('ready');
process.once('SIGTERM', () => void handle.stop().then(() => process.exit(0)));

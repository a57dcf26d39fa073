/** Child process of uploads.test.ts: completes one upload (the parent SIGKILLs it mid-join). */
import { resolveJobsConfig } from '../../src/jobs/config.js';
import { openJobStore } from '../../src/jobs/store/index.js';
import { completeUpload } from '../../src/jobs/uploads.js';

const cfg = resolveJobsConfig(JSON.parse(process.env.LC_TEST_JOBS_CONFIG!));
const store = await openJobStore(cfg);
await completeUpload(store, cfg, process.env.LC_TEST_UPLOAD!);
await store.close();
process.send?.('done');

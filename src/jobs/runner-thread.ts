/** Worker-thread entry of the in-process job runner (see runner-host.ts startRunnerThread). */
import { parentPort, workerData } from 'node:worker_threads';
import type { JobsConfig } from './config.js';
import { runWorker } from './runner-host.js';

const port = parentPort!;
const send = (level: 'info' | 'warn' | 'error') => (obj: object, msg?: string) => {
  const o = obj as { err?: unknown };
  const safe = o.err instanceof Error ? { ...o, err: { message: o.err.message, stack: o.err.stack } } : obj;
  port.postMessage({ level, obj: safe, msg });
};
const handle = await runWorker(workerData as JobsConfig, {
  log: { info: send('info'), warn: send('warn'), error: send('error') },
  onJobEnd: (e) => port.postMessage({ jobEnd: e }),
});
port.on('message', (m: unknown) => {
  if (m === 'notify') handle.runner.notify();
  if (m === 'stop') void handle.stop().then(() => port.close());
});

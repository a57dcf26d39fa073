/** `labelcheck serve` in a child process for the benchmarks: started, ready, its log fields. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  proc: ChildProcess;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** The tfjs backend the server logged. */
  backend: string;
}

/**
 * Start `node <argv>` (a `serve` command) with `env` added to this process's environment
 * (set LOG_LEVEL=info: readiness is read from the log) and wait until its worker pool is
 * ready.
 */
export async function startServerProcess(argv: string[], env: Record<string, string>, cwd?: string): Promise<ServerProcess> {
  const proc = spawn(process.execPath, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let url = '';
  let backend = '';
  await new Promise<void>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        if (typeof rec.url === 'string') url = rec.url;
        if (typeof rec.tfjs_backend === 'string') backend = rec.tfjs_backend;
        if (rec.msg === 'worker pool ready') resolve();
      } catch {
        // not a log line
      }
    });
  });
  return { proc, url, backend };
}

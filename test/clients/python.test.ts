/**
 * The Python client's pytest suite (clients/python/tests), run against a real labelcheck
 * server on a loopback port that this file starts: the built CLI's `labelcheck serve`
 * (dist/, which `npm test` builds first), with jobs and uploads as users get them.
 *
 * The interpreter: the first of $PYTHON, `python3`, `/usr/bin/python3` that imports numpy,
 * requests and pytest, preferring one that also has pandas (the DataFrame returns are only
 * tested with pandas; `.ci/run` installs Debian's python3-pandas). Without such an
 * interpreter the test is SKIPPED and says why; it never passes silently.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import t from 'tap';

t.setTimeout(900_000);

const root = fileURLToPath(new URL('../../', import.meta.url));
const clientDir = join(root, 'clients', 'python');
const PROBE = 'import numpy, requests, pytest, importlib.util as u; print("pandas" if u.find_spec("pandas") else "no-pandas")';

interface Python {
  exe: string;
  pandas: boolean;
}

function findPython(): { found?: Python; tried: string[] } {
  const candidates = [...new Set([process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c))];
  const tried: string[] = [];
  let withoutPandas: Python | undefined;
  for (const exe of candidates) {
    const r = spawnSync(exe, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
    const out = (r.stdout ?? '').trim();
    if (r.status !== 0) {
      const why = r.error ? String(r.error.message) : (r.stderr ?? '').trim().split('\n').pop();
      tried.push(`${exe}: ${why}`);
      continue;
    }
    if (out === 'pandas') return { found: { exe, pandas: true }, tried };
    tried.push(`${exe}: numpy, requests and pytest but no pandas`);
    withoutPandas ??= { exe, pandas: false };
  }
  return withoutPandas ? { found: withoutPandas, tried } : { tried };
}

function run(exe: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { cwd: clientDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** `labelcheck serve` from dist/ on a free loopback port, ready (/readyz 200) when resolved. */
async function serve(dataDir: string): Promise<{ url: string; child: ChildProcess; log: () => string }> {
  const cli = join(root, 'dist', 'src', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm test does)`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', WORKERS: '1', LOG_LEVEL: 'warn', DATA_DIR: dataDir, JOB_POLL_MS: '50', MAX_EVENT_LOOP_DELAY_MS: '0' };
  delete env.API_KEY;
  const child = spawn(process.execPath, [cli, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return { url, child, log: () => out };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error(`labelcheck serve did not become ready on ${url}:\n${out}`);
}

const { found, tried } = findPython();

t.test(
  'Python client: pytest suite against a real server',
  found
    ? {}
    : { skip: `no Python interpreter with numpy, requests and pytest (tried: ${tried.join('; ')}); install python3-numpy python3-requests python3-pytest (and python3-pandas)` },
  async (t) => {
    const python = found!;
    if (!python.pandas) t.comment(`${python.exe} has no pandas: the DataFrame-returning functions are NOT tested (${tried.join('; ')})`);
    const dataDir = mkdtempSync(join(tmpdir(), 'labelcheck-pytest-'));
    const server = await serve(dataDir);
    t.teardown(async () => {
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await once(server.child, 'exit');
      }
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = {
      ...process.env,
      LABELCHECK_URL: server.url,
      PYTHONPATH: join(clientDir, 'src'),
      LABELCHECK_REQUIRE_LOCAL: '1',
      PYTHONDONTWRITEBYTECODE: '1',
    };
    delete env.LABELCHECK_API_KEY;
    const { code, out } = await run(python.exe, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-rfEs', 'tests'], env);
    const summary = out.trim().split('\n').filter((l) => /passed|failed|error|skipped|bit-identical|SKIPPED|FAILED|ERROR/.test(l));
    t.comment(`pytest with ${python.exe} on ${server.url}:\n${summary.join('\n')}`);
    if (code !== 0) t.comment(`${out.slice(-20_000)}\nserver log:\n${server.log().slice(-5_000)}`);
    t.equal(code, 0, 'pytest exits 0');
    const last = summary.filter((l) => / in [\d.]+s/.test(l)).pop() ?? '';
    t.match(last, /\d+ passed/, 'pytest ran tests');
    t.notMatch(last, /failed|error/, 'no test failed');
    if (python.pandas) t.notMatch(out, /SKIPPED.*pandas/, 'with pandas, the DataFrame tests ran');
  },
);

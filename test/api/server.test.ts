/**
 * The real server over real HTTP:
 * - startServer on an ephemeral loopback port: JSON, multipart (undici FormData, as a
 *   client library encodes it) and Arrow requests;
 * - a server in a child process (as `labelcheck serve` runs): /healthz answers within
 *   50 ms while a 300,000×10 computation runs; past capacity (WORKERS=1, MAX_QUEUE=1)
 *   requests get 503 + Retry-After; SIGTERM lets the in-flight request finish and exits 0;
 * - a bad environment variable stops the process with a message naming it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import t, { type Test } from 'tap';
import { encodeArrowClassification } from '../../src/io/arrow.js';
import { executeRequest } from '../../src/service/index.js';
import { startServer } from '../../src/server.js';
import { jsonBody, npyParts, syntheticDataset } from './helpers.js';

const root = new URL('../../', import.meta.url);

t.test('startServer on port 0 talks HTTP', async (t) => {
  const server = await startServer(
    { PORT: '0', HOST: '127.0.0.1', WORKERS: '1', LOG_LEVEL: 'silent' },
    { handleSignals: false, exitOnConfigError: false },
  );
  t.teardown(() => server.close());
  t.not(server.port, 0, 'an ephemeral port was assigned');
  t.equal(server.url, `http://127.0.0.1:${server.port}`);

  const health = await fetch(`${server.url}/healthz`);
  t.equal(health.status, 200);
  const ready = await fetch(`${server.url}/readyz`);
  t.equal(ready.status, 200, 'ready after startServer resolves');
  t.ok(((await ready.json()) as { tfjs_backend: string }).tfjs_backend, 'names the backend');

  const d = syntheticDataset(2_000, 5, 8, { float32: true });
  const want = JSON.stringify(executeRequest('label-issues', { kind: 'json', body: jsonBody(d, { limit: 20 }) }).body);

  const viaJson = await fetch(`${server.url}/v1/label-issues`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'http-json-1' },
    body: JSON.stringify(jsonBody(d, { limit: 20 })),
  });
  t.equal(viaJson.status, 200);
  t.equal(viaJson.headers.get('x-request-id'), 'http-json-1');
  t.equal(await viaJson.text(), want, 'JSON over HTTP');

  const form = new FormData();
  const parts = npyParts(d);
  form.append('pred_probs', new Blob([parts.pred_probs]), 'pred_probs.npy');
  form.append('labels', new Blob([parts.labels]), 'labels.npy');
  form.append('options', JSON.stringify({ limit: 20 }));
  const viaForm = await fetch(`${server.url}/v1/label-issues`, { method: 'POST', body: form });
  t.equal(viaForm.status, 200);
  t.equal(await viaForm.text(), want, 'multipart .npy over HTTP');

  const arrow = encodeArrowClassification(d.labels, { data: d.predProbs, n: d.n, k: d.k });
  const viaArrow = await fetch(`${server.url}/v1/label-issues?options=${encodeURIComponent('{"limit":20}')}`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.apache.arrow.stream' },
    body: arrow,
  });
  t.equal(viaArrow.status, 200);
  t.equal(await viaArrow.text(), want, 'Arrow over HTTP');

  const bad = await fetch(`${server.url}/v1/label-issues`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"labels": [' });
  t.equal(bad.status, 400);
  t.match(bad.headers.get('content-type'), /application\/problem\+json/);
});

/** The environment for a server child process: without tap's NODE_OPTIONS loaders. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

interface Child {
  proc: ChildProcess;
  url: string;
  logs: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start `labelcheck serve` in a child process and wait for the pool to be ready. */
async function spawnServer(t: Test, env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: root,
    env: childEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const logs: Record<string, unknown>[] = [];
  let url = '';
  let stderr = '';
  proc.stderr!.on('data', (c) => (stderr += String(c)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 60_000);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line);
      } catch {
        return;
      }
      logs.push(rec);
      if (typeof rec.url === 'string' && /listening/.test(String(rec.msg))) url = rec.url;
      if (rec.msg === 'worker pool ready' && url) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code }) => reject(new Error(`server exited early (${code}): ${stderr}`)));
  });
  return { proc, url, logs, exited };
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

async function waitFor(cond: () => Promise<boolean>, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}

function slowForm(parts: { pred_probs: Uint8Array; labels: Uint8Array }, options: Record<string, unknown> = {}): FormData {
  const form = new FormData();
  form.append('pred_probs', new Blob([parts.pred_probs]), 'pred_probs.npy');
  form.append('labels', new Blob([parts.labels]), 'labels.npy');
  form.append('options', JSON.stringify(options));
  return form;
}

t.test('a server process: healthz during a slow computation, 503 past capacity, graceful SIGTERM', async (t) => {
  const server = await spawnServer(t, { WORKERS: '1', MAX_QUEUE: '1', RETRY_AFTER_SECONDS: '7', SHUTDOWN_TIMEOUT_MS: '20000' });
  const slow = npyParts(syntheticDataset(300_000, 10, 3, { float32: true }));

  t.test('/healthz keeps answering while 300,000×10 computes (the loop is never held by the computation)', async (t) => {
    // Warm up the worker (JIT) so the measured request is representative.
    t.equal((await fetch(`${server.url}/v1/label-issues`, { method: 'POST', body: slowForm(slow) })).status, 200);
    // The machine is shared (other test files run in parallel on 2 vCPUs) and each probe's
    // latency includes this test process's own loop (it parses the 300k-score response):
    // the ≤ 50 ms goal is measured by `npm run bench:http`, not asserted here. What is
    // asserted: no probe waited for half the request's duration, which a server that ran
    // the decode + computation + serialisation on its event loop cannot meet. Up to 5
    // attempts, one of which must meet it.
    const attempts: { worst: number; probes: number; ms: number }[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      let done = false;
      const started = performance.now();
      const request = fetch(`${server.url}/v1/label-issues`, { method: 'POST', body: slowForm(slow, { include_scores: true }) }).then(async (r) => {
        const text = await r.text();
        done = true;
        return { status: r.status, text };
      });
      const latencies: number[] = [];
      while (!done) {
        const t0 = performance.now();
        const h = await fetch(`${server.url}/healthz`);
        await h.arrayBuffer();
        if (!done) latencies.push(performance.now() - t0);
        t.equal(h.status, 200);
        await new Promise((r) => setTimeout(r, 5));
      }
      const res = await request;
      t.equal(res.status, 200, 'slow request succeeded');
      t.equal(JSON.parse(res.text).label_quality_scores.length, 300_000);
      t.ok(latencies.length >= 5, `${latencies.length} probes during the request`);
      attempts.push({ worst: Math.max(...latencies), probes: latencies.length, ms: performance.now() - started });
      if (attempts.at(-1)!.worst <= 50) break;
    }
    const desc = attempts.map((a) => `${a.worst.toFixed(1)} ms worst over ${a.probes} probes in ${a.ms.toFixed(0)} ms`).join('; ');
    t.ok(attempts.some((a) => a.worst < a.ms / 2), `worst /healthz latency under half the request's duration (${desc})`);
  });

  t.test('past capacity: 503 problem with Retry-After, and the admitted requests finish', async (t) => {
    // Admission is decided before the body is read, so the refused requests carry a tiny
    // body: the window in which both slots are held is then only a few round trips wide.
    // On a loaded machine the queued computation can still finish inside that window, so
    // up to 3 attempts, one of which must see both extra requests refused. A server that
    // queued without bound (or read the body first) fails every attempt.
    const tiny = JSON.stringify({ pred_probs: [[0.9, 0.1], [0.2, 0.8]], labels: [0, 1] });
    type Seen = { status: number; retryAfter: string | null; contentType: string | null; body: string };
    const attempts: Seen[][] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const admitted = [0, 1].map(() => fetch(`${server.url}/v1/label-issues`, { method: 'POST', body: slowForm(slow) }));
      t.ok(await waitFor(async () => (await metric(server.url, 'labelcheck_pool_in_flight')) === 2), 'one running, one queued');
      const extra = await Promise.all(
        [0, 1].map(async (): Promise<Seen> => {
          const r = await fetch(`${server.url}/v1/label-issues`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: tiny,
          });
          return { status: r.status, retryAfter: r.headers.get('retry-after'), contentType: r.headers.get('content-type'), body: await r.text() };
        }),
      );
      attempts.push(extra);
      const ok = await Promise.all(admitted);
      t.same(ok.map((r) => r.status), [200, 200], 'admitted requests complete');
      await Promise.all(ok.map((r) => r.arrayBuffer()));
      if (extra.every((r) => r.status === 503)) break;
    }
    const clean = attempts.find((a) => a.every((r) => r.status === 503));
    t.ok(clean, `both extra requests refused in one attempt (statuses: ${JSON.stringify(attempts.map((a) => a.map((r) => r.status)))})`);
    for (const r of clean ?? []) {
      t.equal(r.retryAfter, '7', 'Retry-After from RETRY_AFTER_SECONDS');
      t.match(r.contentType, /application\/problem\+json/);
      const body = JSON.parse(r.body) as { type: string; detail: string };
      t.equal(body.type, 'urn:labelcheck:problem:overloaded');
      t.match(body.detail, /busy|queue/);
    }
    for (const r of attempts.flat().filter((r) => r.status !== 503)) t.equal(r.status, 200, 'an extra request admitted after a slot freed is answered');
    t.equal((await fetch(`${server.url}/healthz`)).status, 200, 'healthz stayed up');
    const refusedCount = attempts.flat().filter((r) => r.status === 503).length;
    const rejected = await (await fetch(`${server.url}/metrics`)).text();
    t.match(rejected, new RegExp(`labelcheck_requests_rejected_total\\{reason="pool_full"\\} ${refusedCount}\\b`), 'rejections counted');
  });

  t.test('SIGTERM: the in-flight request finishes, then the process exits 0', async (t) => {
    const inFlight = fetch(`${server.url}/v1/label-issues`, { method: 'POST', body: slowForm(slow) });
    t.ok(await waitFor(async () => (await metric(server.url, 'labelcheck_pool_in_flight')) === 1), 'request in flight');
    server.proc.kill('SIGTERM');
    const res = await inFlight;
    t.equal(res.status, 200, 'in-flight request completed during shutdown');
    t.equal(JSON.parse(await res.text()).num_examples, 300_000);
    const { code } = await server.exited;
    t.equal(code, 0, 'clean exit');
    t.ok(server.logs.some((l) => l.msg === 'shutdown complete'), 'shutdown logged');
    const refusedAfter = await fetch(`${server.url}/healthz`).then(
      () => 'answered',
      () => 'refused',
    );
    t.equal(refusedAfter, 'refused', 'no longer accepting connections');
  });
});

t.test('bad configuration exits non-zero naming the variable', async (t) => {
  for (const [name, value] of [
    ['PORT', 'eighty'],
    ['WORKERS', '0'],
    ['BODY_LIMIT_MB', '-5'],
    ['LOG_LEVEL', 'chatty'],
  ]) {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
      cwd: root,
      env: childEnv({ PORT: '0', [name]: value }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (c) => (stderr += String(c)));
    const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
    t.equal(code, 78, `${name}=${value}: exit code 78`);
    t.match(stderr, new RegExp(`${name}`), `${name}=${value}: message names ${name}`);
    t.notMatch(stderr, /\n\s+at /, `${name}=${value}: a message, not a stack trace`);
  }
});

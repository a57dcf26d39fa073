/**
 * End-to-end HTTP benchmark (`npm run bench:http`).
 *
 * Starts `labelcheck serve` in a child process (built dist/ when present and --dist is
 * given, else the TypeScript sources through tsx), then measures, client side:
 *   - POST /v1/label-issues, 1,000,000×10 float32 as multipart .npy   (median of 5)
 *   - POST /v1/label-issues, 200,000×10 as a JSON body                 (median of 5)
 * while a separate thread polls GET /healthz every 10 ms and records the worst latency
 * (client side, so it includes OS scheduling on a busy machine; the server's own
 * event-loop delay maximum from /metrics is printed beside it);
 * and the server's peak resident set (VmHWM of the server process, worker threads
 * included). Goals: 1M×10 .npy ≤ 1 s end to end, /healthz ≤ 50 ms throughout.
 *
 * Options: --runs N (default 5), --dist, --workers N (server WORKERS, default 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { writeNpy } from '../src/io/npy.js';
import { makePeakedDataset } from '../seeds/synthetic.js';
import { startServerProcess } from './server-process.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const RUNS = Number(flag('runs') ?? 5);
const WORKERS = flag('workers') ?? '2';
const root = new URL('../', import.meta.url);
const useDist = args.includes('--dist') && existsSync(new URL('dist/src/cli.js', root));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The /healthz prober: its own thread and event loop, so client work does not skew it. */
const PROBER = `
const { parentPort, workerData } = require('node:worker_threads');
let worst = 0, count = 0, active = true;
parentPort.on('message', (m) => {
  if (m === 'reset') { worst = 0; count = 0; }
  if (m === 'report') parentPort.postMessage({ worst, count });
  if (m === 'stop') active = false;
});
(async () => {
  while (active) {
    const t0 = performance.now();
    try { const r = await fetch(workerData.url + '/healthz'); await r.arrayBuffer(); } catch {}
    const dt = performance.now() - t0;
    if (dt > worst) worst = dt;
    count++;
    await new Promise((r) => setTimeout(r, 10));
  }
  parentPort.postMessage('stopped');
})();
`;

async function main(): Promise<void> {
  const command = useDist ? ['dist/src/cli.js', 'serve'] : ['--import', 'tsx', 'src/cli.ts', 'serve'];
  const { proc: server, url, backend } = await startServerProcess(
    command,
    { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', WORKERS, MAX_QUEUE: '8', BODY_LIMIT_MB: '1024' },
    fileURLToPath(root),
  );
  const peakRss = (): number => {
    const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  };

  /** Max event-loop delay the server itself saw since the previous scrape (ms). */
  const serverLoopDelayMax = async (): Promise<number> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(/^labelcheck_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1] ?? NaN) * 1000;
  };

  const prober = new Worker(PROBER, { eval: true, workerData: { url } });
  const probe = (msg: 'reset' | 'report') =>
    new Promise<{ worst: number; count: number }>((resolve) => {
      if (msg === 'reset') {
        prober.postMessage('reset');
        resolve({ worst: 0, count: 0 });
        return;
      }
      prober.once('message', resolve);
      prober.postMessage('report');
    });

  console.log(`labelcheck HTTP benchmark — server: ${useDist ? 'dist' : 'tsx'} | WORKERS=${WORKERS} | tfjs backend: ${backend} | runs: ${RUNS}`);

  // Realistic predictions: peaked on a (mostly true) class; 15% of labels flipped.
  const big = makePeakedDataset(1_000_000, 10, 1, { float32: true });
  const ppNpy = writeNpy(big.predProbs, '<f4', [1_000_000, 10]);
  const labNpy = writeNpy(big.labels, '<i8', [1_000_000]);
  const mid = makePeakedDataset(200_000, 10, 2, { float32: true });
  const rows: number[][] = [];
  for (let i = 0; i < 200_000; i++) rows.push(Array.from(mid.predProbs.subarray(i * 10, i * 10 + 10)));
  const jsonText = JSON.stringify({ labels: Array.from(mid.labels), pred_probs: rows });

  const scenarios: { name: string; bytes: number; send: () => Promise<Response> }[] = [
    {
      name: '1,000,000×10 float32, multipart .npy',
      bytes: ppNpy.length + labNpy.length,
      send: () => {
        const form = new FormData();
        form.append('pred_probs', new Blob([ppNpy]), 'pred_probs.npy');
        form.append('labels', new Blob([labNpy]), 'labels.npy');
        return fetch(`${url}/v1/label-issues`, { method: 'POST', body: form });
      },
    },
    {
      name: '200,000×10, JSON body',
      bytes: Buffer.byteLength(jsonText),
      send: () => fetch(`${url}/v1/label-issues`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: jsonText }),
    },
  ];

  const summary: Record<string, unknown> = { backend, workers: Number(WORKERS) };
  let worstHealth = 0;
  for (const s of scenarios) {
    // One warm-up request (JIT), not counted.
    const warm = await s.send();
    if (warm.status !== 200) throw new Error(`${s.name}: HTTP ${warm.status}: ${(await warm.text()).slice(0, 300)}`);
    await warm.arrayBuffer();
    probe('reset');
    await serverLoopDelayMax(); // prom-client resets its event-loop histogram on each scrape
    const times: number[] = [];
    const compute: number[] = [];
    let issues = 0;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const res = await s.send();
      const text = await res.text();
      times.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`${s.name}: HTTP ${res.status}: ${text.slice(0, 300)}`);
      issues = (JSON.parse(text) as { num_label_issues: number }).num_label_issues;
      const m = /compute;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
      if (m) compute.push(Number(m[1]));
    }
    const h = await probe('report');
    const loopMax = await serverLoopDelayMax();
    worstHealth = Math.max(worstHealth, h.worst);
    const line = {
      end_to_end_ms_median: Math.round(median(times)),
      end_to_end_ms_all: times.map((x) => Math.round(x)),
      worker_compute_ms_median: Math.round(median(compute)),
      body_mb: +(s.bytes / 1e6).toFixed(1),
      healthz_worst_ms: +h.worst.toFixed(1),
      healthz_probes: h.count,
      server_event_loop_delay_max_ms: +loopMax.toFixed(1),
      num_label_issues: issues,
    };
    summary[s.name] = line;
    console.log(
      `${s.name.padEnd(40)} median ${String(line.end_to_end_ms_median).padStart(5)} ms  (runs ${line.end_to_end_ms_all.join(', ')})  ` +
        `worker ${line.worker_compute_ms_median} ms  body ${line.body_mb} MB  /healthz worst ${line.healthz_worst_ms} ms over ${h.count} probes  server loop delay max ${line.server_event_loop_delay_max_ms} ms`,
    );
  }
  const rss = peakRss();
  summary.server_peak_rss_mb = Math.round(rss);
  summary.healthz_worst_ms = +worstHealth.toFixed(1);
  console.log(`server peak RSS ${Math.round(rss)} MB | worst /healthz ${worstHealth.toFixed(1)} ms`);
  const goalNpy = (summary[scenarios[0]!.name] as { end_to_end_ms_median: number }).end_to_end_ms_median <= 1000;
  console.log(`goals: 1M×10 .npy ≤ 1 s: ${goalNpy ? 'met' : 'MISSED'}; /healthz ≤ 50 ms: ${worstHealth <= 50 ? 'met' : 'MISSED'}`);
  console.log(JSON.stringify(summary));

  prober.postMessage('stop');
  await prober.terminate();
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

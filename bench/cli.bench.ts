/**
 * `npm run bench:cli` — the first five minutes, measured as a user meets them: whole
 * processes, start-up included.
 *
 *   1. start-up: `node -e 0` next to `labelcheck --help` (goal: ≤ 2×);
 *   2. whole-process `labelcheck label-issues --pred-probs P.npy --labels L.npy --limit 0`
 *      on 1,000,000×10 and 200,000×100 float32 (labels int64, as np.save writes them; the
 *      JSON goes to a file) next to cleanlab 2.9 doing the same from a Python process
 *      (bench/cleanlab_label_issues.py: load both arrays, find_label_issues ranked, the
 *      matrices and class health, write the JSON) — goal ≥ 10× — or a message saying why
 *      that column is skipped;
 *   3. the worker pool: compute time (Server-Timing) of the first 1,000,000×10 request a
 *      fresh `labelcheck serve` answers, against the same request once warm (goal ≤ 1.3×),
 *      with the start-up warm-up (default) and without it (POOL_WARMUP=off).
 *
 * Timing: hyperfine when it is installed (`apt-get install hyperfine`), else our own
 * repeated runs; either way the median wall time and the mean CPU time (user + system) of
 * each command. On a busy machine the CPU time is the steadier figure.
 *
 *   npm run bench:cli                    (builds first)
 *   npx tsx bench/cli.bench.ts --runs 5 --skip-pool
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNpy } from '../src/io/npy.js';
import { makeSyntheticDataset } from '../seeds/synthetic.js';
import { startServerProcess } from './server-process.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const RUNS = Number(flag('runs') ?? 10);
const root = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(root, 'dist/bin/labelcheck.js');
const SHAPES: Array<[number, number]> = [
  [1_000_000, 10],
  [200_000, 100],
];

interface Timing {
  /** median wall-clock seconds */
  wall: number;
  /** mean user + system CPU seconds */
  cpu: number;
  runs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function has(cmd: string, argv: string[]): boolean {
  return spawnSync(cmd, argv, { stdio: 'ignore' }).status === 0;
}

const HYPERFINE = has('hyperfine', ['--version']);

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Children's CPU time so far (user + system, seconds): /proc/self/stat cutime + cstime. */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3; cutime and cstime are fields 16 and 17.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Time shell commands: hyperfine when present, else runs of our own (1 warm-up run each). */
function timeCommands(commands: string[], runs: number): Timing[] {
  if (HYPERFINE) {
    const dir = mkdtempSync(join(tmpdir(), 'labelcheck-hf-'));
    try {
      const out = join(dir, 'hf.json');
      execFileSync('hyperfine', ['--warmup', '1', '--runs', String(runs), '--style', 'none', '--export-json', out, ...commands], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const res = JSON.parse(readFileSync(out, 'utf8')) as { results: Array<{ median: number; user: number; system: number }> };
      return res.results.map((r) => ({ wall: r.median, cpu: r.user + r.system, runs }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return commands.map((cmd) => {
    spawnSync('sh', ['-c', cmd], { stdio: 'ignore' });
    const walls: number[] = [];
    const cpu0 = childrenCpu();
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      const res = spawnSync('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] });
      walls.push((performance.now() - t) / 1000);
      if (res.status !== 0) throw new Error(`benchmark command failed (${res.status}): ${cmd}`);
    }
    return { wall: median(walls), cpu: (childrenCpu() - cpu0) / runs, runs };
  });
}

const fmt = (t: Timing | undefined): string => (t ? `${(t.wall * 1000).toFixed(0)} ms (CPU ${(t.cpu * 1000).toFixed(0)} ms)` : '—');

function cleanlabStatus(): { ok: boolean; why: string } {
  const r = spawnSync('python3', ['-c', 'import cleanlab, numpy; print(cleanlab.__version__)'], { encoding: 'utf8' });
  if (r.error) return { ok: false, why: 'python3 is not installed' };
  if (r.status !== 0) {
    const last = (r.stderr || '').trim().split('\n').pop() ?? '';
    return { ok: false, why: `python3 -c 'import cleanlab' fails here (${last}); install it with pip install cleanlab==2.9.0` };
  }
  return { ok: true, why: `cleanlab ${r.stdout.trim()}` };
}

/** First vs warm request of a fresh server's pool (compute time from Server-Timing). */
async function poolFirstVsWarm(pp: Uint8Array, labels: Uint8Array, warmup: boolean, requests: number): Promise<{ first: number; warm: number; readyMs: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'labelcheck-pool-'));
  const started = performance.now();
  const { proc: server, url } = await startServerProcess([BIN, 'serve'], {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    WORKERS: '1',
    BODY_LIMIT_MB: '1024',
    DATA_DIR: dataDir,
    POOL_WARMUP: warmup ? 'on' : 'off',
  });
  try {
    const readyMs = performance.now() - started;
    const computeMs: number[] = [];
    for (let r = 0; r < requests; r++) {
      const form = new FormData();
      form.append('pred_probs', new Blob([pp]), 'pred_probs.npy');
      form.append('labels', new Blob([labels]), 'labels.npy');
      form.append('options', JSON.stringify({ limit: 0 }));
      const res = await fetch(`${url}/v1/label-issues`, { method: 'POST', body: form });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`label-issues answered ${res.status}`);
      const timing = res.headers.get('server-timing') ?? '';
      computeMs.push(Number(/compute;dur=([\d.]+)/.exec(timing)?.[1] ?? NaN));
    }
    return { first: computeMs[0]!, warm: median(computeMs.slice(2)), readyMs };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'labelcheck-bench-cli-'));
  try {
    const cleanlab = cleanlabStatus();
    console.log(
      `labelcheck CLI benchmark — node ${process.version}, ${HYPERFINE ? 'hyperfine' : 'own timing (hyperfine not installed)'}, ${RUNS} runs per command (median wall time; mean CPU = user + system)\n`,
    );
    const files = new Map<string, { pp: string; labels: string; ppBytes: Uint8Array; labelBytes: Uint8Array }>();
    for (const [n, k] of SHAPES) {
      const ds = makeSyntheticDataset({ n, k, noiseRate: 0.05, seed: 7, dtype: 'float32' });
      const pp = join(dir, `pred_probs_${n}x${k}.npy`);
      const labels = join(dir, `labels_${n}x${k}.npy`);
      const ppBytes = writeNpy(ds.predProbs, '<f4', [n, k]);
      const labelBytes = writeNpy(ds.labels, '<i8', [n]);
      writeFileSync(pp, ppBytes);
      writeFileSync(labels, labelBytes);
      files.set(`${n}x${k}`, { pp, labels, ppBytes, labelBytes });
    }
    const node = shellQuote(process.execPath);
    const out = join(dir, 'out.json');

    const [base, help] = timeCommands([`${node} -e 0`, `${node} ${shellQuote(BIN)} --help`], RUNS);
    console.log('| start-up | `node -e 0` | `labelcheck --help` | ratio (goal ≤ 2×) |');
    console.log('|---|---|---|---|');
    console.log(`| median wall (CPU) | ${fmt(base)} | ${fmt(help)} | ${(help!.wall / base!.wall).toFixed(2)}× wall, ${(help!.cpu / base!.cpu).toFixed(2)}× CPU |\n`);

    console.log('| whole process, `label-issues --limit 0` | labelcheck | cleanlab 2.9 | speed-up (goal ≥ 10×) |');
    console.log('|---|---|---|---|');
    for (const [n, k] of SHAPES) {
      const f = files.get(`${n}x${k}`)!;
      const ours = `${node} ${shellQuote(BIN)} label-issues --pred-probs ${shellQuote(f.pp)} --labels ${shellQuote(f.labels)} --limit 0 > ${shellQuote(out)}`;
      const theirs = `python3 ${shellQuote(join(root, 'bench/cleanlab_label_issues.py'))} ${shellQuote(f.pp)} ${shellQuote(f.labels)} > ${shellQuote(out)}`;
      const [a, b] = timeCommands(cleanlab.ok ? [ours, theirs] : [ours], cleanlab.ok ? Math.min(RUNS, 5) : RUNS);
      const speedup = b ? `${(b.wall / a!.wall).toFixed(1)}× wall, ${(b.cpu / a!.cpu).toFixed(1)}× CPU` : 'skipped';
      console.log(`| ${n.toLocaleString('en-US')} × ${k} float32 | ${fmt(a)} | ${b ? fmt(b) : 'skipped'} | ${speedup} |`);
    }
    if (!cleanlab.ok) console.log(`\ncleanlab column skipped: ${cleanlab.why}.`);

    if (!args.includes('--skip-pool')) {
      const f = files.get('1000000x10')!;
      console.log('\n| fresh server (WORKERS=1), 1,000,000 × 10 multipart | ready after | first request (compute) | warm request (median of the 3rd–6th) | first / warm (goal ≤ 1.3×) |');
      console.log('|---|---|---|---|---|');
      for (const warmup of [true, false]) {
        const r = await poolFirstVsWarm(f.ppBytes, f.labelBytes, warmup, 6);
        console.log(
          `| ${warmup ? 'warm-up at start (default)' : 'POOL_WARMUP=off'} | ${r.readyMs.toFixed(0)} ms | ${r.first.toFixed(0)} ms | ${r.warm.toFixed(0)} ms | ${(r.first / r.warm).toFixed(2)}× |`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

/**
 * npm run bench:core — compute time and peak memory of the engine.
 *
 * Runs compiled JavaScript on plain node (`tsc -p tsconfig.bench.json`, as production runs
 * dist/): tsx alone would add ~35 MB of RSS. For each shape the parent writes float32
 * pred_probs and int32 labels (seeds/synthetic.ts) to .npy files, then starts two fresh
 * child processes that read them as a user's bytes would arrive (one buffer per file, viewed
 * in place):
 *
 *   memory — loads the input, runs the engine ONCE: the peak RSS of the process (VmHWM)
 *            against the goal "≤ input bytes + 100 MB", and the cold time of that first run
 *            (JIT not yet warm, fresh pages);
 *   time   — loads the input, runs the engine 3 times to warm up (a long-lived worker is
 *            warm after its first requests), then times 5 runs of the engine and of the
 *            whole /v1/label-issues body and the input validation: medians of 5.
 *
 * engine = the issue's goal: find_label_issues (prune_by_noise_rate) ranked by
 * self_confidence, the confident joint (raw and calibrated), joint, noise matrices + py
 * (converged), class health and the overall score, with the typed-array (flat K×K) core API;
 * full = the whole /v1/label-issues body (nested-array matrices for JSON, suggested labels,
 * the accuracy block, which inverts the K×K noise matrix).
 *
 *   npm run bench:core                 all shapes
 *   npm run bench:core -- 1000000x10   one shape
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProbMatrix } from '../src/core/types.js';
// The children import the engine dynamically: the memory child loads only src/core and
// src/io (the time child also the service), so the measured RSS is the engine's.
const core = () => import('../src/core/index.js');
const io = async () => ({ ...(await import('../src/io/npy.js')), ...(await import('../src/io/validate.js')) });
import { makeSyntheticDataset } from '../seeds/synthetic.js';

const SHAPES: Array<[number, number]> = [
  [1_000_000, 10],
  [200_000, 100],
  [50_000, 1000],
];
const REPEATS = 5;
const WARMUP = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

type Engine = (labels: Int32Array, pp: ProbMatrix) => number;

/** The issue's scope: find_label_issues ranked + matrices + class health (flat core API). */
async function loadEngine(): Promise<Engine> {
  const c = await core();
  return (labels, pp) => {
    const cj = c.computeConfidentJointFull(labels, pp);
    const found = c.findLabelIssuesWithRanking(labels, pp, { rankBy: 'self_confidence' }, cj);
    const joint = c.estimateJointFlat(labels, pp, { precomputed: cj });
    c.estimatePyAndNoiseMatricesFlat(labels, pp, { precomputed: cj });
    c.rankClassesByLabelQuality(labels, pp, { jointFlat: joint });
    c.overallLabelHealthScore(labels, pp, { precomputed: cj });
    return found.ranked.length;
  };
}

async function load(dir: string): Promise<{ labels: Int32Array; pp: ProbMatrix; inputBytes: number }> {
  const { npyToLabelValues, npyToProbMatrix, parseNpy, toLabels } = await io();
  const pp = npyToProbMatrix(parseNpy(readFileSync(join(dir, 'pred_probs.npy')), 'pred_probs'));
  const raw = npyToLabelValues(parseNpy(readFileSync(join(dir, 'labels.npy')), 'labels'));
  const labels = toLabels(raw, pp.k, 'labels', pp.n);
  return { labels, pp, inputBytes: pp.data.byteLength + labels.byteLength };
}

/**
 * This process's peak RSS. Linux keeps getrusage's maxRSS across exec (a child starts with
 * its parent's), so read the address space's own high-water mark (VmHWM) where there is one.
 */
function peakRssBytes(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function childMemory(dir: string): Promise<void> {
  const engine = await loadEngine();
  const { labels, pp, inputBytes } = await load(dir);
  const rssLoaded = process.memoryUsage().rss;
  const t = performance.now();
  const issues = engine(labels, pp);
  const coldMs = performance.now() - t;
  const peakRss = peakRssBytes();
  console.log(JSON.stringify({ inputBytes, rssLoaded, peakRss, coldMs, issues }));
}

async function childTime(dir: string): Promise<void> {
  const engine = await loadEngine();
  const { validatePredProbs, toLabels } = await io();
  const { labelIssuesOptionsSchema } = await import('../src/schemas/label-issues.js');
  const { labelIssues } = await import('../src/service/label-issues.js');
  const { labels, pp } = await load(dir);
  const options = labelIssuesOptionsSchema.parse({});
  for (let r = 0; r < WARMUP; r++) engine(labels, pp);
  const eng: number[] = [];
  const full: number[] = [];
  const validate: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    let t = performance.now();
    engine(labels, pp);
    eng.push(performance.now() - t);
  }
  for (let r = 0; r < REPEATS; r++) {
    let t = performance.now();
    validatePredProbs(pp);
    toLabels(labels, pp.k, 'labels', pp.n);
    validate.push(performance.now() - t);
    t = performance.now();
    labelIssues({ labels, predProbs: pp }, options);
    full.push(performance.now() - t);
  }
  console.log(JSON.stringify({ engineMs: median(eng), fullMs: median(full), validateMs: median(validate) }));
}

function runChild(kind: string, dir: string): Record<string, number> {
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, [self, `--child-${kind}`, dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
}

async function parent(): Promise<void> {
  const { writeNpy } = await io();
  const only = process.argv.slice(2).find((a) => /^\d+x\d+$/.test(a));
  const shapes = only ? [only.split('x').map(Number) as [number, number]] : SHAPES;
  console.log(
    `labelcheck engine benchmark — node ${process.version} (compiled JS), float32 input; time: median of ${REPEATS} after ${WARMUP} warm-up runs; memory: one run in a fresh process\n`,
  );
  console.log('| N × K | engine (ms) | first run, cold (ms) | full /v1/label-issues body (ms) | validate (ms) | issues | input (MB) | RSS with input loaded (MB) | peak RSS (MB) | goal: input + 100 MB |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const [n, k] of shapes) {
    const dir = mkdtempSync(join(tmpdir(), 'labelcheck-bench-'));
    try {
      const ds = makeSyntheticDataset({ n, k, noiseRate: 0.05, seed: 7, dtype: 'float32' });
      writeFileSync(join(dir, 'pred_probs.npy'), writeNpy(ds.predProbs, '<f4', [n, k]));
      writeFileSync(join(dir, 'labels.npy'), writeNpy(ds.labels, '<i4', [n]));
      const m = runChild('memory', dir);
      const t = runChild('time', dir);
      const mb = (b: number) => (b / 1e6).toFixed(0);
      const goal = m.inputBytes! + 100e6;
      console.log(
        `| ${n.toLocaleString('en-US')} × ${k} | ${t.engineMs!.toFixed(0)} | ${m.coldMs!.toFixed(0)} | ${t.fullMs!.toFixed(0)} | ${t.validateMs!.toFixed(0)} | ${m.issues} | ${mb(m.inputBytes!)} | ${mb(m.rssLoaded!)} | ${mb(m.peakRss!)} | ${mb(goal)} MB ${m.peakRss! <= goal ? 'met' : 'NOT met'} |`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

const kind = process.argv.find((a) => a.startsWith('--child-'));
const dir = process.argv[process.argv.length - 1]!;
if (kind === '--child-memory') await childMemory(dir);
else if (kind === '--child-time') await childTime(dir);
else await parent();

/**
 * Chunked engine benchmark (issue 6): label-issues over a 20,000,000 × 10 float32 .npy
 * (800 MB) generated to a temp file, in the default 256 MB memory budget. Prints the time
 * of each pass, the total, and the peak RSS of the process (goal: < 400 MB).
 *
 *   npx tsx bench/jobs.bench.ts [--rows 20000000] [--k 10] [--noise 0.05] [--budget-mb 256] [--keep DIR]
 *
 * The data are written in blocks by a child process, so the peak RSS is the engine's (plus
 * Node, tsx and the loaded modules, ~120 MB).
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runChunked } from '../src/jobs/stream/engine.js';
import { mulberry32 } from '../seeds/synthetic.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

const N = Number(arg('rows', '20000000'));
const K = Number(arg('k', '10'));
const NOISE = Number(arg('noise', '0.05'));
const BUDGET = Number(arg('budget-mb', '256')) * 2 ** 20;
const keep = arg('keep', '');
const MB = 2 ** 20;

/** .npy v1 header for a C-order array (padded to 64 bytes, as numpy writes it). */
function npyHeader(descr: string, shape: number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const h = Buffer.alloc(total, 0x20);
  h.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  h.writeUInt16LE(total - 10, 8);
  h.write(dict, 10, 'latin1');
  h[total - 1] = 0x0a;
  return h;
}

async function write(stream: ReturnType<typeof createWriteStream>, buf: Buffer): Promise<void> {
  if (!stream.write(buf)) await once(stream, 'drain');
}

async function generate(dir: string): Promise<{ pp: string; lb: string }> {
  const pp = join(dir, 'pred_probs.npy');
  const lb = join(dir, 'labels.npy');
  const ps = createWriteStream(pp);
  const ls = createWriteStream(lb);
  await write(ps, npyHeader('<f4', [N, K]));
  await write(ls, npyHeader('<i4', [N]));
  const r = mulberry32(2024);
  const BLOCK = 1 << 18;
  const row = new Float64Array(K);
  for (let start = 0; start < N; start += BLOCK) {
    const count = Math.min(BLOCK, N - start);
    const p = new Float32Array(count * K);
    const l = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const truth = Math.floor(r() * K);
      l[i] = r() < NOISE ? Math.floor(r() * K) : truth;
      // a confident model most of the time, an unsure one sometimes
      const peak = r() < 0.8 ? 6 + 10 * r() : 1.5 * r();
      let s = 0;
      for (let j = 0; j < K; j++) {
        const v = r() + (j === truth ? peak : 0);
        row[j] = v;
        s += v;
      }
      for (let j = 0; j < K; j++) p[i * K + j] = row[j]! / s;
    }
    await write(ps, Buffer.from(p.buffer));
    await write(ls, Buffer.from(l.buffer));
  }
  ps.end();
  ls.end();
  await Promise.all([once(ps, 'finish'), once(ls, 'finish')]);
  return { pp, lb };
}

if (process.argv.includes('--generate-into')) {
  // child: write the files and exit (keeps the generator's memory out of the measurement)
  await generate(arg('generate-into', ''));
  process.exit(0);
}

const dir = keep || mkdtempSync(join(tmpdir(), 'lc-jobs-bench-'));
try {
  const t0 = performance.now();
  const gen = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), '--generate-into', dir], {
    stdio: 'inherit',
  });
  if (gen.status !== 0) throw new Error('data generation failed');
  const pp = join(dir, 'pred_probs.npy');
  const lb = join(dir, 'labels.npy');
  const genMs = performance.now() - t0;
  console.log(
    `data: ${N.toLocaleString('en-US')} × ${K} float32 = ${(statSync(pp).size / MB).toFixed(0)} MB (+ labels ${(statSync(lb).size / MB).toFixed(0)} MB), ` +
      `generated in ${(genMs / 1000).toFixed(1)} s (in a child process); RSS before the run: ${(process.memoryUsage().rss / MB).toFixed(0)} MB`,
  );

  const passEnd: number[] = [];
  let samplePeak = 0;
  const sampler = setInterval(() => {
    samplePeak = Math.max(samplePeak, process.memoryUsage().rss);
  }, 20);
  const t1 = performance.now();
  const out = await runChunked('label-issues', { predProbs: pp, labels: lb }, { limit: 0 }, {
    memoryBudgetBytes: BUDGET,
    maxChunkRows: null,
    checkpoint: async (p) => {
      if (p.rows_done === p.rows_total) passEnd[p.pass] = performance.now();
    },
  });
  const totalMs = performance.now() - t1;
  clearInterval(sampler);
  const peak = process.resourceUsage().maxRSS * 1024;
  const passes = passEnd.map((end, i) => ((end - (i === 0 ? t1 : passEnd[i - 1]!)) / 1000).toFixed(2));
  console.log(
    `label-issues (prune_by_noise_rate, ranked by self_confidence), memory budget ${(BUDGET / MB).toFixed(0)} MB: ` +
      `${(totalMs / 1000).toFixed(1)} s; passes 0–${passes.length - 1} (s): ${passes.join(' / ')}`,
  );
  console.log(`num_label_issues: ${(out.body.num_label_issues as number).toLocaleString('en-US')}`);
  console.log(`peak RSS: ${(peak / MB).toFixed(0)} MB (sampled during the run: ${(samplePeak / MB).toFixed(0)} MB) — goal < 400 MB: ${peak < 400 * MB ? 'PASS' : 'FAIL'}`);
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

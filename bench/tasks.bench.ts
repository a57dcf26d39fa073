/**
 * Task-family benchmark (issue 14): one entry per family — add yours to FAMILIES.
 *
 *   npm run bench:tasks                      every family
 *   npm run bench:tasks -- --only segmentation
 *
 * Each entry runs in a fresh child process: it generates its synthetic input in memory
 * (seeds/synthetic-tasks.ts), runs the engine once, and reports the wall time of the run
 * and the process's peak RSS (VmHWM) next to the input's bytes (goal: peak ≤ input + 200 MB;
 * the node runtime and the loaded modules count too). The cleanlab column runs cleanlab 2.9
 * on the same arrays (saved as .npy) when `python3 -c 'import cleanlab'` works, else it
 * prints why it was skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNpy } from '../src/io/npy.js';
import { objectDetection, OutOfDistribution, regression, segmentation, tokenClassification } from '../src/index.js';
import { makeSegmentationDataset, makeTokenDataset } from '../seeds/synthetic-tasks.js';
import { featureData, objectDetectionData, regressionData } from '../seeds/task-data.js';

/** Outliers rows (default the issue's 50,000; brute-force KNN is O(N²·D): BENCH_OUTLIERS_N=10000 for a quick run). */
const OUTLIERS_N = Number(process.env['BENCH_OUTLIERS_N'] ?? 50_000);

interface Family<D> {
  name: string;
  /** what is measured, for the table */
  shape: string;
  make(): D;
  inputBytes(d: D): number;
  /** the engine call measured */
  run(d: D): string;
  /** the arrays cleanlab gets (written as .npy into the temp dir) and the Python statement timed */
  cleanlab?(d: D, dir: string): { setup: string; call: string };
}

const FAMILIES: Family<any>[] = [
  {
    name: 'token-classification',
    shape: '1,000,000 tokens × 9 classes, float32: filter.find_label_issues',
    make: () => {
      // sentences of 1–39 tokens (mean 20) until 1,000,000 tokens, then trimmed to exactly 1e6
      const d = makeTokenDataset({ sentences: 50_000, k: 9, maxLength: 39, dtype: 'float32', seed: 14 });
      const t = d.labels.length;
      const target = 1_000_000;
      if (t < target) throw new Error(`only ${t} tokens generated`);
      let s = 0;
      let acc = 0;
      while (acc + d.sentenceLengths[s]! < target) acc += d.sentenceLengths[s++]!;
      const lengths = d.sentenceLengths.slice(0, s + 1);
      lengths[s] = target - acc;
      return {
        labels: d.labels.subarray(0, target),
        pp: { data: d.predProbs.subarray(0, target * 9), n: target, k: 9 },
        sentenceLengths: lengths,
      };
    },
    inputBytes: (d) => d.labels.byteLength + d.pp.data.byteLength + d.sentenceLengths.byteLength,
    run: (d) => `${tokenClassification.findLabelIssues(d).flat.length} issues`,
    cleanlab: (d, dir) => {
      writeFileSync(join(dir, 'pp.npy'), writeNpy(d.pp.data, '<f4', [d.pp.n, d.pp.k]));
      writeFileSync(join(dir, 'labels.npy'), writeNpy(d.labels, '<i8', [d.pp.n]));
      writeFileSync(join(dir, 'lengths.npy'), writeNpy(d.sentenceLengths, '<i8', [d.sentenceLengths.length]));
      return {
        setup:
          "import numpy as np\nfrom cleanlab.token_classification.filter import find_label_issues\n" +
          `pp=np.load('${dir}/pp.npy'); y=np.load('${dir}/labels.npy'); L=np.load('${dir}/lengths.npy')\n` +
          'o=np.concatenate([[0],np.cumsum(L)])\nP=[pp[o[i]:o[i+1]] for i in range(len(L))]; Y=[list(y[o[i]:o[i+1]]) for i in range(len(L))]',
        call: 'find_label_issues(Y, P)',
      };
    },
  },
  {
    name: 'segmentation',
    shape: '200 × 21 × 256 × 256 float32: filter.find_label_issues',
    make: () => {
      const d = makeSegmentationDataset({ n: 200, k: 21, h: 256, w: 256, dtype: 'float32', seed: 14 });
      return segmentation.segmentationData(d.labels, [d.n, d.h, d.w], d.predProbs, [d.n, d.k, d.h, d.w]);
    },
    inputBytes: (d) => d.pp.byteLength + (d.labels as Uint8Array).byteLength,
    run: (d) => {
      const mask = segmentation.findLabelIssues(d);
      let c = 0;
      for (let i = 0; i < mask.length; i++) c += mask[i]!;
      return `${c} pixels flagged`;
    },
    cleanlab: (d, dir) => {
      writeFileSync(join(dir, 'pp.npy'), writeNpy(d.pp, '<f4', [d.n, d.k, d.h, d.w]));
      writeFileSync(join(dir, 'labels.npy'), writeNpy(d.labels, '|u1', [d.n, d.h, d.w]));
      return {
        setup: `import numpy as np\nfrom cleanlab.segmentation.filter import find_label_issues\npp=np.load('${dir}/pp.npy'); y=np.load('${dir}/labels.npy')`,
        call: 'find_label_issues(y, pp, n_jobs=1, verbose=False)',
      };
    },
  },
  {
    name: 'object-detection',
    shape: '5,000 images × ~10 boxes × 20 classes: filter.find_label_issues (mask, ranked) + rank.get_label_quality_scores',
    make: () => {
      const od = objectDetectionData(5000, 20, 10, 1501, 7);
      return objectDetection.odData(od.labels, od.predictions);
    },
    inputBytes: (d) => d.images.reduce((a: number, im: any) => a + im.lb.byteLength + im.ll.byteLength + im.pb.byteLength + im.pl.byteLength + im.pc.byteLength, 0),
    run: (d) => {
      const ranked = objectDetection.findLabelIssues(d, { returnIndicesRankedByScore: true });
      objectDetection.getLabelQualityScores(d);
      return `${ranked.length} images flagged`;
    },
    cleanlab: (d, dir) => {
      const boxes = d.images.flatMap((im: any) => Array.from(im.lb as Float64Array));
      const rows = d.images.flatMap((im: any) => Array.from({ length: im.pc.length }, (_, j) => [...Array.from(im.pb.subarray(j * 4, j * 4 + 4) as Float64Array), im.pc[j]]).flat());
      const counts = d.images.flatMap((im: any) => Array.from({ length: d.k }, (_, c) => (im.pl as Int32Array).filter((v) => v === c).length));
      writeFileSync(join(dir, 'b.npy'), writeNpy(boxes, '<f8', [boxes.length / 4, 4]));
      writeFileSync(join(dir, 'l.npy'), writeNpy(d.images.flatMap((im: any) => Array.from(im.ll as Int32Array)), '<i8', [boxes.length / 4]));
      writeFileSync(join(dir, 'c.npy'), writeNpy(d.images.map((im: any) => im.ll.length), '<i8', [d.images.length]));
      writeFileSync(join(dir, 'p.npy'), writeNpy(rows, '<f8', [rows.length / 5, 5]));
      writeFileSync(join(dir, 'pc.npy'), writeNpy(counts, '<i8', [d.images.length, d.k]));
      return {
        setup:
          'import numpy as np\nfrom cleanlab.object_detection.filter import find_label_issues\nfrom cleanlab.object_detection.rank import get_label_quality_scores\n' +
          `B=np.load('${dir}/b.npy'); L=np.load('${dir}/l.npy'); C=np.load('${dir}/c.npy'); P=np.load('${dir}/p.npy'); PC=np.load('${dir}/pc.npy')\n` +
          'o=np.concatenate([[0],np.cumsum(C)]); po=np.concatenate([[0],np.cumsum(PC.ravel())])\n' +
          'Y=[{"bboxes":B[o[i]:o[i+1]],"labels":L[o[i]:o[i+1]]} for i in range(len(C))]\n' +
          'Q=[[P[po[i*PC.shape[1]+c]:po[i*PC.shape[1]+c+1]] for c in range(PC.shape[1])] for i in range(len(C))]',
        call: 'find_label_issues(Y, Q, return_indices_ranked_by_score=True); get_label_quality_scores(Y, Q, verbose=False)',
      };
    },
  },
  {
    name: 'outliers',
    shape: `${OUTLIERS_N.toLocaleString('en-US')} × 256 float64 features, k = 10: OutOfDistribution.fit_score`,
    make: () => ({ data: featureData(OUTLIERS_N, 256, 1502, 50).features, n: OUTLIERS_N, d: 256 }),
    inputBytes: (d) => d.data.byteLength,
    run: (d) => {
      const s = new OutOfDistribution({ k: 10 }).fitScore({ features: d });
      let worst = 0;
      for (let i = 1; i < s.length; i++) if (s[i]! < s[worst]!) worst = i;
      return `lowest score at row ${worst}`;
    },
    cleanlab: (d, dir) => {
      writeFileSync(join(dir, 'x.npy'), writeNpy(d.data, '<f8', [d.n, d.d]));
      return {
        setup: `import numpy as np\nfrom cleanlab.outlier import OutOfDistribution\nX=np.load('${dir}/x.npy')`,
        call: "OutOfDistribution(params={'k': 10}).fit_score(features=X, verbose=False)",
      };
    },
  },
  {
    name: 'regression',
    shape: '5,000 examples: regression.rank.get_label_quality_scores (outre)',
    make: () => regressionData(5000, 1503),
    inputBytes: (d) => 16 * d.labels.length,
    run: (d) => `${regression.getLabelQualityScores(d.labels, d.predictions).length} scores`,
    cleanlab: (d, dir) => {
      writeFileSync(join(dir, 'y.npy'), writeNpy(d.labels, '<f8', [d.labels.length]));
      writeFileSync(join(dir, 'p.npy'), writeNpy(d.predictions, '<f8', [d.labels.length]));
      return {
        setup: `import numpy as np\nfrom cleanlab.regression.rank import get_label_quality_scores\ny=np.load('${dir}/y.npy'); p=np.load('${dir}/p.npy')`,
        call: 'get_label_quality_scores(y, p)',
      };
    },
  },
];

const MB = 2 ** 20;

function peakRssMb(): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / MB;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Child: generate, run once, print one JSON line. */
function child(name: string): void {
  const fam = FAMILIES.find((f) => f.name === name)!;
  const d = fam.make();
  const before = peakRssMb();
  const t0 = performance.now();
  const what = fam.run(d);
  const ms = performance.now() - t0;
  let cleanlab: string;
  const probe = spawnSync('python3', ['-c', 'import cleanlab'], { encoding: 'utf8' });
  if (probe.status !== 0 || !fam.cleanlab) {
    cleanlab = `skipped: ${probe.error ? 'python3 not found' : "python3 -c 'import cleanlab' failed (not installed)"}`;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'bench-tasks-'));
    try {
      const { setup, call } = fam.cleanlab(d, dir);
      const py = spawnSync('python3', ['-c', `${setup}\nimport time\nt=time.perf_counter()\n${call}\nprint((time.perf_counter()-t)*1000)`], { encoding: 'utf8' });
      cleanlab = py.status === 0 ? `${Number(py.stdout.trim().split('\n').pop()).toFixed(0)} ms` : `failed: ${py.stderr.trim().split('\n').pop()}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(JSON.stringify({ ms, what, inputMb: fam.inputBytes(d) / MB, rssBeforeMb: before, peakMb: peakRssMb(), cleanlab }));
}

function parent(): void {
  const only = arg('only');
  const rows: string[] = [];
  for (const fam of FAMILIES) {
    if (only && fam.name !== only) continue;
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', fam.name], {
      encoding: 'utf8',
      maxBuffer: 16 * MB,
    });
    if (r.status !== 0) {
      console.error(`${fam.name}: child failed\n${r.stderr}`);
      process.exitCode = 1;
      continue;
    }
    const o = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const over = o.peakMb - o.inputMb;
    const line = `| ${fam.name} | ${fam.shape} | ${(o.ms / 1000).toFixed(2)} s | ${o.inputMb.toFixed(0)} MB | ${o.peakMb.toFixed(0)} MB (input + ${over.toFixed(0)} MB${over <= 200 ? '' : ', over the 200 MB goal'}) | ${o.cleanlab} | ${o.what} |`;
    rows.push(line);
    console.log(line);
  }
  console.log(['', '| family | run | labelcheck time | input | peak RSS | cleanlab 2.9 | result |', '|---|---|---|---|---|---|---|', ...rows].join('\n'));
}

const c = arg('child');
if (c) child(c);
else parent();

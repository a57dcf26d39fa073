/**
 * The chunked engine against the in-memory service, on every parity fixture: identical
 * flagged rows, order, scores, matrices and tables, whatever the chunk size (1, 7, 64 rows,
 * and one chunk), for label-issues (every filter_by, each rank_by, adjust_pred_probs,
 * pruning options), confident-joint and dataset-health; identical errors for bad input;
 * every .npy dtype/byte order the reader decodes.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { writeNpy } from '../../src/io/npy.js';
import { splitLabelIssues, withJobDefaults, type JobOutput } from '../../src/jobs/executor.js';
import { runChunked } from '../../src/jobs/stream/engine.js';
import type { JobKind } from '../../src/jobs/store/types.js';
import { executeRequest } from '../../src/service/index.js';
import { loadParityFixture, parityFiles } from '../helpers/fixtures.js';

const files = parityFiles();
const tmp = mkdtempSync(join(tmpdir(), 'lc-chunked-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

const FILTERS = ['prune_by_noise_rate', 'prune_by_class', 'both', 'confident_learning', 'predicted_neq_given', 'low_normalized_margin', 'low_self_confidence'];

type Variant = [JobKind, Record<string, unknown>];
const BASIC: Variant[] = [
  ['label-issues', {}],
  ['label-issues', { filter_by: 'prune_by_class', rank_by: 'normalized_margin' }],
  ['label-issues', { filter_by: 'low_self_confidence' }],
  ['confident-joint', {}],
  ['dataset-health', {}],
];
const FULL: Variant[] = [
  ...FILTERS.map((f): Variant => ['label-issues', { filter_by: f }]),
  ...FILTERS.map((f): Variant => ['label-issues', { filter_by: f, rank_by: 'confidence_weighted_entropy' }]),
  ['label-issues', { rank_by: 'normalized_margin', adjust_pred_probs: true }],
  ['label-issues', { filter_by: 'low_normalized_margin', adjust_pred_probs: true, limit: 5 }],
  ['label-issues', { filter_by: 'both', frac_noise: 0.6, min_examples_per_class: 30 }],
  ['label-issues', { filter_by: 'confident_learning', frac_noise: 0.5 }],
  ['confident-joint', {}],
  ['confident-joint', { calibrate: false }],
  ['dataset-health', {}],
  ['dataset-health', { asymmetric: true }],
];

function columns(li: JobOutput['labelIssues']) {
  return li && { index: Array.from(li.index), given: Array.from(li.given), suggested: Array.from(li.suggested), quality: Array.from(li.quality) };
}

async function chunked(kind: JobKind, pp: string, lb: string, opts: Record<string, unknown>, rows: number | null) {
  try {
    const out = await runChunked(kind, { predProbs: pp, labels: lb }, withJobDefaults(kind, opts), {
      memoryBudgetBytes: 256 << 20,
      maxChunkRows: rows,
      checkpoint: async () => {},
    });
    return { body: out.body, issues: columns(out.labelIssues) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function inMemory(kind: JobKind, parts: { pred_probs: Uint8Array; labels: Uint8Array }, opts: Record<string, unknown>) {
  try {
    const out = splitLabelIssues(kind, executeRequest(kind, { kind: 'npy', parts, options: withJobDefaults(kind, opts) }).body);
    return { body: out.body, issues: columns(out.labelIssues) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

let flaggedSeen = 0;
for (const f of files) {
  t.test(f, async (t) => {
    const fx = loadParityFixture(f);
    const n = fx.labels.length;
    const k = fx.pred_probs[0]!.length;
    const parts = { pred_probs: writeNpy(fx.pred_probs.flat(), '<f8', [n, k]), labels: writeNpy(fx.labels, '<i8', [n]) };
    const pp = join(tmp, `${f}.pp.npy`);
    const lb = join(tmp, `${f}.lb.npy`);
    writeFileSync(pp, parts.pred_probs);
    writeFileSync(lb, parts.labels);
    let checked = 0;
    const mismatches: string[] = [];
    for (const rows of [1, 7, 64, null]) {
      for (const [kind, opts] of rows === 1 ? BASIC : FULL) {
        const want = inMemory(kind, parts, opts);
        const got = await chunked(kind, pp, lb, opts, rows);
        checked++;
        if (!isDeepStrictEqual(got, want)) mismatches.push(`${kind} ${JSON.stringify(opts)} rows=${rows}`);
        if (want.issues) flaggedSeen += want.issues.index.length;
      }
    }
    t.same(mismatches, [], `${checked} chunked runs identical (strict deep equality) to the in-memory service`);
  });
}

t.test('the comparison is not vacuous', async (t) => {
  t.ok(files.length >= 13, `${files.length} parity fixtures`);
  t.ok(flaggedSeen > 10_000, `${flaggedSeen} flagged rows compared`);
});

t.test('bad input: the same errors as the in-memory service, global row numbers', async (t) => {
  const fx = loadParityFixture('k3_n500.json');
  const n = fx.labels.length;
  const k = 3;
  const cases: [string, number[], number[][], JobKind, Record<string, unknown>][] = [];
  const rowsBad = fx.pred_probs.map((r) => [...r]);
  rowsBad[333] = [0.5, 0.2, 0.2];
  cases.push(['row sum', fx.labels, rowsBad, 'label-issues', {}]);
  const negative = fx.pred_probs.map((r) => [...r]);
  negative[250] = [1.0000005, -5e-7, 0];
  cases.push(['cwe needs [0, 1] exactly', fx.labels, negative, 'label-issues', { rank_by: 'confidence_weighted_entropy' }]);
  const outOfRange = [...fx.labels];
  outOfRange[401] = 3;
  cases.push(['label out of range', outOfRange, fx.pred_probs, 'confident-joint', {}]);
  cases.push(['one class', fx.labels.map(() => 1), fx.pred_probs, 'dataset-health', {}]);
  cases.push(['all zeros', fx.labels.map(() => 0), fx.pred_probs, 'label-issues', {}]);
  cases.push(['cwe + adjust', fx.labels, fx.pred_probs, 'label-issues', { rank_by: 'confidence_weighted_entropy', adjust_pred_probs: true }]);
  cases.push(['num_to_remove with confident_learning', fx.labels, fx.pred_probs, 'label-issues', { filter_by: 'confident_learning', num_to_remove_per_class: [1, 1, 1] }]);
  cases.push(['num_to_remove length', fx.labels, fx.pred_probs, 'label-issues', { num_to_remove_per_class: [1, 1] }]);
  cases.push(['class_names length', fx.labels, fx.pred_probs, 'dataset-health', { class_names: ['a', 'b'] }]);
  cases.push(['unknown option', fx.labels, fx.pred_probs, 'confident-joint', { calibrated: true }]);
  for (const [name, labels, pred, kind, opts] of cases) {
    const parts = { pred_probs: writeNpy(pred.flat(), '<f8', [n, k]), labels: writeNpy(labels, '<i8', [n]) };
    const pp = join(tmp, 'bad.pp.npy');
    const lb = join(tmp, 'bad.lb.npy');
    writeFileSync(pp, parts.pred_probs);
    writeFileSync(lb, parts.labels);
    const want = inMemory(kind, parts, opts);
    t.ok(want.error, `${name}: the in-memory service rejects it`);
    t.same(await chunked(kind, pp, lb, opts, 7), want, `${name}: same error (${want.error?.slice(0, 70)})`);
  }
  // num_to_remove_per_class works (prune methods) and matches
  const parts = { pred_probs: writeNpy(fx.pred_probs.flat(), '<f8', [n, k]), labels: writeNpy(fx.labels, '<i8', [n]) };
  writeFileSync(join(tmp, 'ok.pp.npy'), parts.pred_probs);
  writeFileSync(join(tmp, 'ok.lb.npy'), parts.labels);
  for (const fb of ['prune_by_noise_rate', 'prune_by_class', 'both']) {
    const opts = { filter_by: fb, num_to_remove_per_class: [5, 0, 12] };
    const want = inMemory('label-issues', parts, opts);
    t.notOk(want.error);
    t.same(await chunked('label-issues', join(tmp, 'ok.pp.npy'), join(tmp, 'ok.lb.npy'), opts, 7), want, `num_to_remove_per_class with ${fb}`);
  }
  // shape mismatch and malformed files
  const short = writeNpy(fx.labels.slice(0, 10), '<i8', [10]);
  writeFileSync(join(tmp, 'short.lb.npy'), short);
  const w = inMemory('label-issues', { pred_probs: parts.pred_probs, labels: short }, {});
  t.same(await chunked('label-issues', join(tmp, 'ok.pp.npy'), join(tmp, 'short.lb.npy'), {}, 7), w, 'N mismatch');
  writeFileSync(join(tmp, 'trunc.pp.npy'), parts.pred_probs.subarray(0, parts.pred_probs.length - 8));
  const tr = await chunked('label-issues', join(tmp, 'trunc.pp.npy'), join(tmp, 'ok.lb.npy'), {}, 7);
  t.match(tr, { error: /truncated/ });
});

t.test('every dtype and byte order of the .npy reader', async (t) => {
  const fx = loadParityFixture('k10_n2000.json');
  const n = fx.labels.length;
  const k = 10;
  for (const [pdt, ldt] of [['<f4', '<i4'], ['>f8', '>i2'], ['<f2', '|u1'], ['>f4', '<u8'], ['<f8', '<f8']]) {
    const parts = { pred_probs: writeNpy(fx.pred_probs.flat(), pdt!, [n, k]), labels: writeNpy(fx.labels, ldt!, [n]) };
    const pp = join(tmp, 'dt.pp.npy');
    const lb = join(tmp, 'dt.lb.npy');
    writeFileSync(pp, parts.pred_probs);
    writeFileSync(lb, parts.labels);
    for (const [kind, opts] of [['label-issues', { filter_by: 'both' }], ['dataset-health', {}]] as Variant[]) {
      const want = inMemory(kind, parts, opts);
      t.same(await chunked(kind, pp, lb, opts, 33), want, `${pdt}/${ldt} ${kind}${want.error ? ' (error: ' + want.error.slice(0, 50) + ')' : ''}`);
    }
  }
});

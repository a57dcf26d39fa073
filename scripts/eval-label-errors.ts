/**
 * npm run eval:label-errors [-- --data DIR]
 *
 * Evaluates labelcheck on real test sets laid out like ../shared/fixtures/label-errors
 * (the cross-validated predictions of "Pervasive Label Errors in Test Sets" plus the MTurk
 * votes on the examples the authors flagged). For every dataset found in DIR:
 *
 *   <name>_pyx.npy | <name>_pred_probs*.npy        N×K out-of-sample pred_probs
 *   <name>_original_labels.npy | <name>_labels*.npy given labels
 *   <stem>_mturk.json                               votes (stem = name, or name minus trailing _parts)
 *   <name>_index_to_filename.json                   optional: row → file name, for string ids
 *   expected.json                                   optional: cleanlab 2.9's numbers (asserted)
 *
 * Preprocessing as the data README says: float64, each row divided by its numpy
 * (pairwise) row sum. Every run goes through the service layer (`executeRequest`, the code
 * path of the HTTP API and the CLI) with the arrays as .npy parts.
 *
 * Prints markdown tables: per filter_by × rank_by the issues found, the precision of the
 * flagged set and precision@10/50/100 against the MTurk votes (validated label error:
 * fewer than 3 of 5 workers chose the given label), and the accuracy block; then the
 * corrected-accuracy estimates of the cross-validated model, with `verified` built from the
 * votes (corrected-accuracy.md §1.3/§1.4: correctable errors get the workers' label, other
 * validated errors are dropped). Exits 1 when a number differs from expected.json.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { FILTER_BY_VALUES, RANK_BY_VALUES, type ProbMatrix } from '../src/core/types.js';
import { npyToLabelValues, npyToProbMatrix, parseNpy, writeNpy } from '../src/io/npy.js';
import { toLabels } from '../src/io/validate.js';
import { correctedAccuracyEndpoint } from '../src/service/corrected-accuracy.js';
import { executeRequest } from '../src/service/index.js';
import { dataDirFromArgs, normaliseRows, readJson, readMturk, REPO_ROOT } from './real-data.js';

// ---------------------------------------------------------------------------------------
// Discovery

interface DatasetFiles {
  name: string;
  predProbs: string;
  predProbsFloat32?: string;
  labels: string;
  mturk?: string;
  indexToFilename?: string;
}

function discover(dir: string): DatasetFiles[] {
  const files = readdirSync(dir).sort();
  const has = (f: string) => files.includes(f);
  const names = new Set<string>();
  for (const f of files) {
    const m = /^(.+?)_(?:pyx|pred_probs[^/]*)\.npy$/.exec(f);
    if (m) names.add(m[1]!);
  }
  const out: DatasetFiles[] = [];
  for (const name of [...names].sort()) {
    const predProbs = has(`${name}_pyx.npy`)
      ? `${name}_pyx.npy`
      : files.find((f) => f.startsWith(`${name}_pred_probs`) && f.endsWith('.npy'))!;
    const float32 = files.find((f) => f.startsWith(`${name}_pred_probs`) && f.includes('float32') && f.endsWith('.npy'));
    const labels = has(`${name}_original_labels.npy`)
      ? `${name}_original_labels.npy`
      : files.find((f) => f.startsWith(`${name}_labels`) && f.endsWith('.npy'));
    if (!labels) {
      console.error(`skipping ${name}: no ${name}_original_labels.npy or ${name}_labels*.npy`);
      continue;
    }
    // <name>_mturk.json, else drop trailing _parts: mnist_test_set → mnist_test → mnist.
    let mturk: string | undefined;
    const parts = name.split('_');
    for (let len = parts.length; len >= 1 && !mturk; len--) {
      const f = `${parts.slice(0, len).join('_')}_mturk.json`;
      if (has(f)) mturk = f;
    }
    const ds: DatasetFiles = { name, predProbs: join(dir, predProbs), labels: join(dir, labels) };
    if (float32 && float32 !== predProbs) ds.predProbsFloat32 = join(dir, float32);
    if (mturk) ds.mturk = join(dir, mturk);
    if (has(`${name}_index_to_filename.json`)) ds.indexToFilename = join(dir, `${name}_index_to_filename.json`);
    out.push(ds);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// MTurk votes


interface Votes {
  /** row → votes for the given label */
  given: Map<number, number>;
  /** verified corrections built from the votes (§1.3/§1.4) */
  verified: { index: number; label: number | null }[];
  entries: number;
  unmapped: number;
  errors: number;
  correctable: number;
  dropped: number;
  labelMismatches: number;
}


function readVotes(ds: DatasetFiles, labels: Int32Array): Votes {
  const { entries, rows, classOf } = readMturk(ds.mturk!, ds.indexToFilename, labels);
  const votes: Votes = {
    given: new Map(),
    verified: [],
    entries: entries.length,
    unmapped: 0,
    errors: 0,
    correctable: 0,
    dropped: 0,
    labelMismatches: 0,
  };
  entries.forEach((e, i) => {
    const r = rows[i];
    if (r === undefined || r < 0 || r >= labels.length) {
      votes.unmapped++;
      return;
    }
    if (classOf(e.given_original_label) !== labels[r]) votes.labelMismatches++;
    const given = e.mturk.given ?? 0;
    votes.given.set(r, given);
    if (given >= 3) return; // not a validated error: keeps its given label
    votes.errors++;
    const guessed = classOf(e.our_guessed_label);
    if ((e.mturk.guessed ?? 0) >= 3 && guessed !== undefined && guessed !== labels[r]) {
      votes.correctable++;
      votes.verified.push({ index: r, label: guessed });
    } else {
      votes.dropped++;
      votes.verified.push({ index: r, label: null });
    }
  });
  return votes;
}

// ---------------------------------------------------------------------------------------
// Runs through the service layer

interface LabelIssuesBody {
  num_label_issues: number;
  label_issues: { index: number }[];
  accuracy: {
    given_labels: number;
    pruned: number | null;
    corrected: number;
    estimated_true: number | null;
    estimated_true_raw: number | null;
    estimated_true_se: number | null;
  };
}

function npyParts(pp: ProbMatrix, labels: Int32Array): Record<string, Uint8Array> {
  return {
    pred_probs: writeNpy(pp.data, '<f8', [pp.n, pp.k]),
    labels: writeNpy(labels, '<i4', [labels.length]),
  };
}

function labelIssues(parts: Record<string, Uint8Array>, options: Record<string, unknown>): LabelIssuesBody {
  return executeRequest('label-issues', { kind: 'npy', parts, options: { ...options, limit: 0 } }).body as unknown as LabelIssuesBody;
}

// ---------------------------------------------------------------------------------------
// Formatting and checks

const fmt = (x: number | null | undefined, d = 4) => (x === null || x === undefined ? '—' : x.toFixed(d));
const ratio = (a: number, b: number) => (b === 0 ? '—' : (a / b).toFixed(3));

let failures = 0;
const problems: string[] = [];
function expect(ok: boolean, what: string): void {
  if (!ok) {
    failures++;
    problems.push(what);
  }
}

interface ExpectedDataset {
  files: Record<string, string>;
  ranked_indices: number[];
  num_issues_by_filter_by: Record<string, number>;
  float32_copy?: { ranked_indices_identical: boolean };
  mturk?: { entries: number; validated_in_file_given_lt_3: number };
  human_validation?: {
    flagged: number;
    checked: number;
    validated: number;
    precision_at_k: Record<string, { checked: number; validated: number }>;
  };
}

function findExpected(dir: string, ds: DatasetFiles): ExpectedDataset | undefined {
  const file = join(dir, 'expected.json');
  if (!existsSync(file)) return undefined;
  const all = readJson<{ datasets?: Record<string, ExpectedDataset> }>(file).datasets ?? {};
  return Object.values(all).find((e) => e.files?.pred_probs_original === basename(ds.predProbs));
}

// ---------------------------------------------------------------------------------------
// Main

const dir = dataDirFromArgs(process.argv.slice(2));
const datasets = discover(dir);
if (datasets.length === 0) {
  console.error(`no dataset found in ${dir} (expected <name>_pyx.npy or <name>_pred_probs*.npy with labels)`);
  process.exit(1);
}

const KS = [10, 50, 100];
const out: string[] = [];
const rel = relative(REPO_ROOT, dir) || '.';
const shownDir = rel.startsWith('../..') ? dir : rel;
out.push(`Data: \`${shownDir}\` (${datasets.map((d) => d.name).join(', ')})`, '');

const accuracyRows: string[] = [];

for (const ds of datasets) {
  const raw = npyToProbMatrix(parseNpy(readFileSync(ds.predProbs), 'pred_probs'), 'pred_probs');
  const pp = normaliseRows(raw);
  const labels = toLabels(npyToLabelValues(parseNpy(readFileSync(ds.labels), 'labels'), 'labels'), pp.k, 'labels');
  const parts = npyParts(pp, labels);
  const votes = ds.mturk ? readVotes(ds, labels) : undefined;
  const exp = findExpected(dir, ds);

  out.push(`### ${ds.name} (N = ${pp.n}, K = ${pp.k})`, '');
  if (votes) {
    out.push(
      `MTurk: ${votes.entries} checked examples in \`${basename(ds.mturk!)}\`, ${votes.errors} validated label errors ` +
        `(given < 3 of 5): ${votes.correctable} correctable (≥ 3 chose the guessed label), ${votes.dropped} without a single label (dropped)` +
        (votes.unmapped ? `; ${votes.unmapped} ids not mapped to rows` : '') +
        (votes.labelMismatches ? `; ${votes.labelMismatches} entries whose given label differs from the labels file` : '') +
        '.',
      '',
    );
    if (exp?.mturk) {
      expect(votes.entries === exp.mturk.entries, `${ds.name}: ${votes.entries} MTurk entries, expected ${exp.mturk.entries}`);
      expect(
        votes.errors === exp.mturk.validated_in_file_given_lt_3,
        `${ds.name}: ${votes.errors} validated errors in the MTurk file, expected ${exp.mturk.validated_in_file_given_lt_3}`,
      );
    }
    expect(votes.unmapped === 0, `${ds.name}: ${votes.unmapped} MTurk ids could not be mapped to rows`);
  }
  out.push(
    '| filter_by | rank_by | issues | expected | checked | validated | precision | P@10 (val/checked, /10) | P@50 | P@100 | given_labels | pruned | corrected | estimated_true |',
    '|---|---|---:|---:|---:|---:|---:|---|---|---|---:|---:|---:|---:|',
  );
  for (const filterBy of FILTER_BY_VALUES) {
    for (const rankBy of RANK_BY_VALUES) {
      const body = labelIssues(parts, { filter_by: filterBy, rank_by: rankBy });
      const ranked = body.label_issues.map((x) => x.index);
      const want = exp?.num_issues_by_filter_by[filterBy];
      if (want !== undefined) expect(body.num_label_issues === want, `${ds.name} ${filterBy}/${rankBy}: ${body.num_label_issues} issues, cleanlab ${want}`);
      let checked = 0;
      let validated = 0;
      const atK = KS.map(() => ({ checked: 0, validated: 0 }));
      ranked.forEach((row, pos) => {
        const g = votes?.given.get(row);
        if (g === undefined) return;
        checked++;
        if (g < 3) validated++;
        KS.forEach((k, j) => {
          if (pos < k) {
            atK[j]!.checked++;
            if (g < 3) atK[j]!.validated++;
          }
        });
      });
      if (filterBy === 'prune_by_noise_rate' && rankBy === 'self_confidence' && exp) {
        expect(
          ranked.length === exp.ranked_indices.length && ranked.every((v, i) => v === exp.ranked_indices[i]),
          `${ds.name}: ranked indices differ from cleanlab's`,
        );
        const hv = exp.human_validation;
        if (hv && votes) {
          expect(checked === hv.checked && validated === hv.validated, `${ds.name}: checked/validated ${checked}/${validated}, expected ${hv.checked}/${hv.validated}`);
          KS.forEach((k, j) => {
            const e = hv.precision_at_k[String(k)];
            if (e) expect(atK[j]!.checked === e.checked && atK[j]!.validated === e.validated, `${ds.name}: top-${k} ${atK[j]!.validated}/${atK[j]!.checked}, expected ${e.validated}/${e.checked}`);
          });
        }
      }
      const a = body.accuracy;
      const pk = atK.map((x, j) => (votes ? `${x.validated}/${x.checked}, ${(x.validated / KS[j]!).toFixed(2)}` : '—'));
      out.push(
        `| ${filterBy} | ${rankBy} | ${body.num_label_issues} | ${want ?? '—'} | ${votes ? checked : '—'} | ${votes ? validated : '—'} | ${votes ? ratio(validated, checked) : '—'} | ${pk.join(' | ')} | ${fmt(a.given_labels)} | ${fmt(a.pruned)} | ${fmt(a.corrected)} | ${fmt(a.estimated_true)} |`,
      );
    }
  }
  out.push('');

  if (ds.predProbsFloat32) {
    const pp32 = normaliseRows(npyToProbMatrix(parseNpy(readFileSync(ds.predProbsFloat32), 'pred_probs'), 'pred_probs'));
    const r64 = labelIssues(parts, {}).label_issues.map((x) => x.index);
    const r32 = labelIssues(npyParts(pp32, labels), {}).label_issues.map((x) => x.index);
    const same = r64.length === r32.length && r64.every((v, i) => v === r32[i]);
    out.push(`float32 copy \`${basename(ds.predProbsFloat32)}\`: ranked issues ${same ? 'identical to' : 'DIFFERENT from'} the float64 result (${r32.length} vs ${r64.length}).`, '');
    if (exp?.float32_copy) expect(same === exp.float32_copy.ranked_indices_identical, `${ds.name}: float32 copy ranking identical = ${same}`);
  }

  // Corrected-accuracy estimates of the cross-validated model.
  const ca = correctedAccuracyEndpoint.handle({
    kind: 'npy',
    parts,
    options: { reference_name: 'cross-validated', ...(votes ? { verified_corrections: votes.verified } : {}) },
  }).body as {
    num_label_issues: number;
    models: {
      given_labels: number;
      pruned: number | null;
      corrected: number;
      verified?: number | null;
      estimated_true: number | null;
      estimated_true_raw: number | null;
      estimated_true_se: number | null;
    }[];
    prevalence_curves: { natural_prevalence: number; num_mislabelled: number } | null;
    noise_matrix_condition_number: number | null;
  };
  const m = ca.models[0]!;
  accuracyRows.push(
    `| ${ds.name} | ${pp.n} | ${ca.num_label_issues} | ${fmt(m.given_labels)} | ${fmt(m.pruned)} | ${fmt(m.corrected)} | ${votes ? `${fmt(m.verified)} (${votes.correctable} relabelled, ${votes.dropped} dropped)` : '—'} | ${fmt(m.estimated_true)} (raw ${fmt(m.estimated_true_raw)}, SE ${fmt(m.estimated_true_se)}) | ${ca.noise_matrix_condition_number === null ? '—' : ca.noise_matrix_condition_number.toFixed(2)} | ${ca.prevalence_curves ? `${ca.prevalence_curves.natural_prevalence.toFixed(4)} (${ca.prevalence_curves.num_mislabelled})` : '—'} |`,
  );
}

out.push(
  '### Corrected-accuracy estimates of the cross-validated model (filter_by = prune_by_noise_rate)',
  '',
  'corrected and estimated_true are self-referential for this model (corrected-accuracy.md §3.1, §4): its flagged rows are its own disagreements with the given labels, and T̂ comes from the same pred_probs.',
  '',
  '| dataset | N | flagged | given_labels | pruned | corrected | verified (MTurk) | estimated_true | κ₁(T̂) | π₀ (\\|E\\|) |',
  '|---|---:|---:|---:|---:|---:|---|---|---:|---|',
  ...accuracyRows,
  '',
);

console.log(out.join('\n'));
if (failures > 0) {
  console.error(`\n${failures} mismatch(es) against expected.json:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.error(
  existsSync(join(dir, 'expected.json'))
    ? `\nall checks against expected.json passed (${datasets.length} datasets)`
    : '\nno expected.json in the data folder: nothing asserted',
);

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { main, parseFlags, type CliIo } from '../src/cli.js';
import { writeNpy } from '../src/io/npy.js';
import { executeRequest } from '../src/service/index.js';
import { RUNNING_LABELS, RUNNING_PRED_PROBS } from './helpers/examples.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const demoRequest = readFileSync(join(root, 'seeds/demo/request.json'), 'utf8');

function fakeIo(files: Record<string, Uint8Array | string> = {}, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    readStdin: () => stdin,
    readFile: (p) => {
      const f = files[p];
      if (f === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return typeof f === 'string' ? Buffer.from(f) : f;
    },
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

// The running example of the spec (confident-learning.md §2).
const running = { labels: RUNNING_LABELS, pred_probs: RUNNING_PRED_PROBS };

t.test('--input FILE prints exactly the service response body', async (t) => {
  const f = fakeIo({ 'req.json': demoRequest });
  const code = await main(['label-issues', '--input', 'req.json'], f.io);
  t.equal(code, 0);
  const expected = executeRequest('label-issues', { kind: 'json', body: JSON.parse(demoRequest) }).body;
  t.same(JSON.parse(f.out()), expected);
  t.equal(f.err(), '');
});

t.test('--input - reads stdin', async (t) => {
  const f = fakeIo({}, JSON.stringify(running));
  t.equal(await main(['confident-joint', '--input', '-'], f.io), 0);
  const body = JSON.parse(f.out());
  t.same(body.confident_joint, [[1, 0, 1], [0, 2, 0], [0, 1, 1]], 'calibrated confident joint of the running example');
});

t.test('.npy inputs with option flags equal the JSON request', async (t) => {
  const n = running.labels.length;
  const files = {
    'pp.npy': writeNpy(running.pred_probs.flat(), '<f8', [n, 3]),
    'labels.npy': writeNpy(running.labels, '<i8', [n]),
  };
  const f = fakeIo(files);
  const code = await main(
    ['label-issues', '--pred-probs', 'pp.npy', '--labels', 'labels.npy', '--filter-by', 'confident_learning', '--limit', '2', '--include-scores'],
    f.io,
  );
  t.equal(code, 0, f.err());
  const viaJson = executeRequest('label-issues', {
    kind: 'json',
    body: { ...running, filter_by: 'confident_learning', limit: 2, include_scores: true },
  }).body;
  const body = JSON.parse(f.out());
  t.same(body, viaJson);
  t.same(body.label_issues.map((x: { index: number }) => x.index), [0, 5], 'ranked by self-confidence, limited to 2');
  t.equal(body.num_label_issues, 3);
});

t.test('invalid input: problem JSON on stderr, exit 2', async (t) => {
  const bad = { ...running, labels: [0, 0, 1, 1, 2, 7] };
  const f = fakeIo({ 'bad.json': JSON.stringify(bad) });
  t.equal(await main(['label-issues', '--input', 'bad.json'], f.io), 2);
  t.equal(f.out(), '');
  const problem = JSON.parse(f.err());
  t.equal(problem.status, 400);
  t.equal(problem.errors[0].path, 'labels[5]');
  t.match(problem.detail, /7/);
});

t.test('unknown option and bad option values name the field', async (t) => {
  let f = fakeIo({ 'r.json': JSON.stringify({ ...running, filter_by: 'nope' }) });
  t.equal(await main(['label-issues', '--input', 'r.json'], f.io), 2);
  t.equal(JSON.parse(f.err()).errors[0].path, 'filter_by');
  f = fakeIo({ 'r.json': JSON.stringify({ ...running, colour: 'red' }) });
  t.equal(await main(['label-issues', '--input', 'r.json'], f.io), 2);
  t.equal(JSON.parse(f.err()).errors[0].path, 'colour');
  f = fakeIo({ 'r.json': '{"labels": [0, 1' });
  t.equal(await main(['label-issues', '--input', 'r.json'], f.io), 2);
  t.equal(JSON.parse(f.err()).errors[0].path, 'body');
});

t.test('usage errors', async (t) => {
  let f = fakeIo();
  t.equal(await main(['no-such-command'], f.io), 2);
  t.match(f.err(), /unknown command/);
  f = fakeIo();
  t.equal(await main(['label-issues'], f.io), 2);
  t.match(f.err(), /--input/);
  f = fakeIo();
  t.equal(await main(['--help'], f.io), 0);
  t.match(f.out(), /labelcheck <endpoint> --input/);
  f = fakeIo();
  t.equal(await main(['label-issues', '--input', 'missing.json'], f.io), 2);
  t.match(JSON.parse(f.err()).detail, /ENOENT/);
});

t.test('parseFlags', async (t) => {
  t.same([...parseFlags(['--a', '1', '--b', '--c=x'])], [['a', '1'], ['b', true], ['c', 'x']]);
  t.throws(() => parseFlags(['stray']));
});

t.test('the built bin runs (dist/src/cli.js)', async (t) => {
  const r = spawnSync(process.execPath, [join(root, 'dist/src/cli.js'), 'dataset-health', '--input', '-'], {
    input: JSON.stringify(running),
    encoding: 'utf8',
  });
  t.equal(r.status, 0, r.stderr);
  const body = JSON.parse(r.stdout);
  t.equal(body.overall_label_health_score, 0.5, 'spec §12.2: 1 − 3/6');
  const bad = spawnSync(process.execPath, [join(root, 'dist/src/cli.js'), 'dataset-health', '--input', '-'], {
    input: JSON.stringify({ labels: [0], pred_probs: [[1]] }),
    encoding: 'utf8',
  });
  t.equal(bad.status, 2);
  t.equal(JSON.parse(bad.stderr).status, 400);
});

t.test('cv-pred-probs writes out-of-fold probabilities that find the flipped labels', async (t) => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { parseNpy } = await import('../src/io/npy.js');
  const { makeBlobs, flipLabels } = await import('./models/blobs.js');
  const blobs = makeBlobs(300, 4, 3, 1, 11);
  const flipped = flipLabels(blobs.labels, 3, 0.1, 5);
  let issues: { label_issues: Array<{ index: number }> } | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'lc-cv-'));
  const out = join(dir, 'pp.npy');
  const f = fakeIo({
    'x.npy': writeNpy(blobs.data, '<f4', [300, 4]),
    'y.npy': writeNpy(flipped.noisy, '<i4', [300]),
  });
  const code = await main(['cv-pred-probs', '--features', 'x.npy', '--labels', 'y.npy', '--out', out, '--folds', '3', '--seed', '1'], f.io);
  t.equal(code, 0, f.err());
  const summary = JSON.parse(f.out());
  t.same([summary.n, summary.k, summary.out], [300, 3, out]);
  const pp = parseNpy(readFileSync(out), 'pp');
  t.same(pp.shape, [300, 3]);
  for (let i = 0; i < 300; i++) {
    const s = (pp.data[3 * i] as number) + (pp.data[3 * i + 1] as number) + (pp.data[3 * i + 2] as number);
    if (Math.abs(s - 1) > 1e-9) t.fail(`row ${i} sums to ${s}`);
  }
  // The written probabilities feed label-issues directly and catch most flipped labels.
  const res = await main(['label-issues', '--pred-probs', out, '--labels', 'y.npy', '--limit', '0'], {
    ...f.io,
    readFile: (p) => (p === out ? readFileSync(out) : f.io.readFile(p)),
    stdout: (s) => void (issues = JSON.parse(s)),
  });
  t.equal(res, 0);
  const found = new Set(issues!.label_issues.map((x) => x.index));
  const hit = Array.from(flipped.flipped).filter((i) => found.has(i)).length;
  t.ok(hit / flipped.flipped.length > 0.6, `recall ${hit}/${flipped.flipped.length}`);
  const bad = fakeIo({ 'x.npy': writeNpy(blobs.data, '<f4', [300, 4]) });
  t.equal(await main(['cv-pred-probs', '--features', 'x.npy'], bad.io), 2);
  t.match(bad.err(), /--labels/);
});

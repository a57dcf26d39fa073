/**
 * The CLI's own pieces: --help without the service, the streamed JSON writer, one-line
 * start-up errors (a real port in use), cv-pred-probs' field names, the bundled bin.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { main, type CliIo } from '../src/cli.js';
import { readWholeFile } from '../src/cli/io.js';
import { bufferedWriter, writeJson } from '../src/cli/json-out.js';
import { describeStartupError } from '../src/cli/startup.js';
import { endpointNames } from '../src/cli/usage.js';
import { writeNpy } from '../src/io/npy.js';
import { ENDPOINTS } from '../src/service/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist/bin/labelcheck.js');

function capture(): { io: CliIo; out: () => string; err: () => string; files: Map<string, Uint8Array> } {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, Uint8Array>();
  return {
    files,
    io: {
      stdout: (s) => void out.push(s),
      stderr: (s) => void err.push(s),
      readStdin: () => '',
      readFile: (p) => {
        const f = files.get(p);
        if (!f) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
        return f;
      },
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

t.test('--help lists every endpoint of the service', async (t) => {
  t.same(await endpointNames(), ENDPOINTS.map((e) => e.name));
  const c = capture();
  t.equal(await main(['--help'], c.io), 0);
  for (const e of ENDPOINTS) t.match(c.out(), e.name.replace('/', ' ')); // as typed: `labelcheck object-detection label-issues`
});

t.test('writeJson writes exactly JSON.stringify, large arrays in pieces', async (t) => {
  const big = Array.from({ length: 10_000 }, (_, i) => ({ index: i, q: i / 7, name: i % 3 ? undefined : `c"${i}` }));
  const bodies: unknown[] = [
    { a: 1, skip: undefined, f: () => 1, nested: { big, empty: [] }, s: 'x\u2028y', n: null, nan: NaN },
    big,
    Array.from({ length: 5000 }, (_, i) => (i % 2 ? undefined : i)),
    [],
    {},
    'text',
    { date: new Date(0), list: [1, [2, 3]] },
  ];
  for (const body of bodies) {
    const pieces: string[] = [];
    writeJson(body, (s) => void pieces.push(s));
    t.equal(pieces.join(''), JSON.stringify(body));
  }
  const pieces: string[] = [];
  writeJson({ big }, (s) => void pieces.push(s));
  t.ok(pieces.length > 3, `a 10,000-element array goes out in ${pieces.length} pieces`);
  const blocks: string[] = [];
  const w = bufferedWriter((s) => void blocks.push(s), 100);
  for (let i = 0; i < 50; i++) w.write('abcdefghij');
  w.flush();
  t.equal(blocks.join(''), 'abcdefghij'.repeat(50));
  t.equal(blocks.length, 5, 'blocks of about 100 characters');
});

t.test('readWholeFile reads a file in one buffer', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'labelcheck-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = Buffer.alloc(3_000_001, 7);
  bytes[2_999_999] = 1;
  writeFileSync(join(dir, 'f.bin'), bytes);
  t.same(Buffer.from(readWholeFile(join(dir, 'f.bin'))), bytes);
  writeFileSync(join(dir, 'empty'), '');
  t.equal(readWholeFile(join(dir, 'empty')).length, 0);
  t.throws(() => readWholeFile(join(dir, 'missing')), { code: 'ENOENT' });
});

t.test('start-up errors are one line that says what to do', async (t) => {
  t.match(describeStartupError(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'listen', address: '127.0.0.1', port: 8080 })), /^cannot listen on 127\.0\.0\.1:8080: the port is already in use.*set PORT/);
  t.match(describeStartupError(Object.assign(new Error('x'), { code: 'EACCES', syscall: 'listen', address: '0.0.0.0', port: 80 })), /permission denied.*PORT to 1024/);
  t.match(describeStartupError(Object.assign(new Error('x'), { code: 'EADDRNOTAVAIL', syscall: 'listen', address: '10.9.9.9' })), /10\.9\.9\.9.*set HOST/);
  t.match(describeStartupError(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 5432 })])), /cannot connect to 127\.0\.0\.1:5432 \(ECONNREFUSED\).*DATABASE_URL/);
  t.match(describeStartupError(Object.assign(new Error('x'), { code: 'ENOTDIR', path: '/dev/null/x' })), /cannot use '\/dev\/null\/x' \(ENOTDIR\).*DATA_DIR/);
  t.match(describeStartupError(Object.assign(new Error('password authentication failed'), { code: '28P01' })), /PostgreSQL.*password was rejected/);
  t.equal(describeStartupError(new Error('boom')), 'failed to start: boom');
  for (const m of [describeStartupError(new Error('a\nb'))]) t.notMatch(m, /at .*\(/, 'no stack trace');
});

t.test('labelcheck serve on a port in use: one line on stderr, exit 1', { skip: !existsSync(bundle) && 'dist/bin/labelcheck.js is not built' }, async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => blocker.close(() => r())));
  const port = (blocker.address() as AddressInfo).port;
  const dataDir = mkdtempSync(join(tmpdir(), 'labelcheck-cli-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [bundle, 'serve'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', WORKERS: '1' },
    encoding: 'utf8',
    timeout: 100_000,
  });
  t.equal(r.status, 1, r.stderr);
  t.equal(r.stderr, `labelcheck serve: cannot listen on 127.0.0.1:${port}: the port is already in use (is another labelcheck running?); stop that process or set PORT to a free port (PORT=0 picks one)\n`);
});

t.test('the bundled bin answers like the sources', { skip: !existsSync(bundle) && 'dist/bin/labelcheck.js is not built' }, async (t) => {
  const help = spawnSync(process.execPath, [bundle, '--help'], { encoding: 'utf8' });
  t.equal(help.status, 0);
  for (const e of ENDPOINTS) t.match(help.stdout, e.name.replace('/', ' '), `the bundle's --help names ${e.name}`);
  const li = spawnSync(process.execPath, [bundle, 'label-issues', '--pred-probs', 'seeds/demo/pred_probs.npy', '--labels', 'seeds/demo/labels.npy', '--limit', '0'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  t.equal(li.status, 0, li.stderr);
  const c = capture();
  c.files.set('p', readWholeFile(join(root, 'seeds/demo/pred_probs.npy')));
  c.files.set('l', readWholeFile(join(root, 'seeds/demo/labels.npy')));
  t.equal(await main(['label-issues', '--pred-probs', 'p', '--labels', 'l', '--limit', '0'], c.io), 0);
  t.equal(li.stdout, c.out(), 'byte for byte the same output');
  const bad = spawnSync(process.execPath, [bundle, 'label-issues', '--pred-probs', 'seeds/demo/pred_probs.npy', '--labels', 'seeds/demo/labels.npy', '--filter-by', 'nope'], { cwd: root, encoding: 'utf8' });
  t.equal(bad.status, 2);
  t.match(JSON.parse(bad.stderr), { status: 400, errors: [{ path: 'filter_by' }] });
});

t.test('cv-pred-probs names --features when the lengths differ', async (t) => {
  const c = capture();
  c.files.set('x.npy', writeNpy(new Float32Array(600 * 4).fill(0.5), '<f4', [600, 4]));
  c.files.set('y.npy', writeNpy(new Int32Array(599), '<i4', [599]));
  t.equal(await main(['cv-pred-probs', '--features', 'x.npy', '--labels', 'y.npy', '--out', 'o.npy'], c.io), 2);
  const problem = JSON.parse(c.err());
  t.equal(problem.detail, 'labels has 599 values but features has 600 rows; they must have the same length N');
  t.notMatch(problem.detail, /pred_probs/);
});

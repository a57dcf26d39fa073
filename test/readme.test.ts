/**
 * The README's runnable snippets, run verbatim against a real server.
 *
 * A fenced `sh` or `python` block is run when the line right above it is a marker:
 *
 *   <!-- readme-test -->                          run this block
 *   <!-- readme-test: continues -->               python: run in the same interpreter as the
 *                                                 previous marked python block (its variables)
 *   <!-- readme-test: requires=pyarrow,polars --> python: skipped, saying so, when one of
 *                                                 these modules is not importable
 *
 * Every block starts in the repository root with a server running (in this process, as
 * `labelcheck serve` starts it, jobs included), and the README's
 * `http://127.0.0.1:8080` is replaced with that server's address (it listens on a free
 * port, so parallel tests cannot collide). `npx labelcheck` is replaced by the program npx
 * runs, `node dist/bin/labelcheck.js` (npm's start-up on every line made the test slow);
 * `npx labelcheck --help` is run once to check npx finds it. Shell blocks run under `bash -e`; python blocks
 * need python3 with numpy and requests — without them they are skipped with the reason.
 * Afterwards no snippet may have left a new file in the repository root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// A server, npx, tfjs training and a 100,000-row job: more than the default per-file limit.
t.setTimeout(900_000);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const README_URL = 'http://127.0.0.1:8080';

export interface ReadmeBlock {
  lang: 'sh' | 'python';
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  continues: boolean;
  requires: string[];
}

/** The marked blocks of a Markdown text, in order. */
export function extractReadmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 1; i < lines.length; i++) {
    const marker = /^<!--\s*readme-test(?::\s*(.*?))?\s*-->\s*$/.exec(lines[i - 1]!);
    const fence = /^```(sh|bash|shell|python|py)\s*$/.exec(lines[i]!);
    if (!marker || !fence) continue;
    const words = (marker[1] ?? '').split(/\s+/).filter(Boolean);
    const requires = words.filter((w) => w.startsWith('requires=')).flatMap((w) => w.slice(9).split(',').filter(Boolean));
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`README line ${i + 1}: the fenced block never closes`);
    blocks.push({
      lang: fence[1]!.startsWith('py') ? 'python' : 'sh',
      code: lines.slice(i + 1, end).join('\n') + '\n',
      line: i + 1,
      continues: words.includes('continues'),
      requires,
    });
    i = end;
  }
  return blocks;
}

t.test('the marker syntax', async (t) => {
  const md = [
    'text',
    '<!-- readme-test -->',
    '```sh',
    'echo one',
    '```',
    '```sh',
    'echo unmarked',
    '```',
    '<!-- readme-test: continues requires=pyarrow,polars -->',
    '```python',
    'print(2)',
    '```',
  ].join('\n');
  t.same(extractReadmeBlocks(md), [
    { lang: 'sh', code: 'echo one\n', line: 3, continues: false, requires: [] },
    { lang: 'python', code: 'print(2)\n', line: 10, continues: true, requires: ['pyarrow', 'polars'] },
  ]);
});

function python(code: string): { ok: boolean; out: string } {
  const r = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
  return { ok: !r.error && r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/** A server in this process (so it cannot outlive the test), as `labelcheck serve` runs it. */
async function startServer(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  process.env.POOL_WARMUP = 'off'; // start faster; the warm-up has its own benchmark
  const { startServer: start } = await import('../src/server.js');
  const { createJobsPlugin } = await import('../src/jobs/plugin.js');
  const env = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', WORKERS: '1', DATA_DIR: dataDir, MAX_EVENT_LOOP_DELAY_MS: '0' };
  const server = await start(env, { handleSignals: false, exitOnConfigError: false, deps: { v1Plugins: [createJobsPlugin()] } });
  return { url: server.url, stop: () => server.close() };
}

/** Run a program without blocking this process's event loop (the server lives here). */
function run(cmd: string, argv: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-20_000)));
    p.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

t.test('README snippets run verbatim against a real server', async (t) => {
  const blocks = extractReadmeBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
  t.ok(blocks.length >= 5, `found ${blocks.length} marked blocks`);
  const rootBefore = new Set(readdirSync(root));
  const dataDir = mkdtempSync(join(tmpdir(), 'labelcheck-readme-'));
  const server = await startServer(dataDir);
  t.teardown(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const py = python('import numpy, requests');
  const pythonMissing = py.ok ? '' : `python3 with numpy and requests is not available (${py.out.split('\n').pop()})`;
  // `npx labelcheck` costs npm's own start-up (seconds on a loaded machine) on every line:
  // the blocks call the program it runs directly, and npx itself is checked once below.
  const bin = join(root, 'dist/bin/labelcheck.js');
  const direct = existsSync(bin) ? `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)}` : 'npx labelcheck';
  const here = (s: string): string => s.split(README_URL).join(server.url).replace(/\bnpx labelcheck\b/g, direct);

  // Python blocks that continue each other run as one program.
  const groups: ReadmeBlock[][] = [];
  for (const b of blocks) {
    const prev = groups[groups.length - 1];
    if (b.lang === 'python' && b.continues && prev && prev[0]!.lang === 'python') prev.push(b);
    else groups.push([b]);
  }
  for (const group of groups) {
    const first = group[0]!;
    const name = `README line ${group.map((b) => b.line).join(' + ')} (${first.lang})`;
    if (first.lang === 'sh') {
      const r = await run('bash', ['-e', '-c', here(first.code)]);
      t.equal(r.status, 0, `${name} exits 0`, { stderr: r.stderr?.slice(-2000), stdout: r.stdout?.slice(-500) });
      continue;
    }
    if (pythonMissing) {
      t.comment(`skipped ${name}: ${pythonMissing}`);
      continue;
    }
    // Blocks whose modules are missing are left out (with the blocks that continue them).
    const ran: ReadmeBlock[] = [];
    for (const b of group) {
      const missing = b.requires.filter((m) => !python(`import ${m}`).ok);
      if (missing.length > 0) {
        t.comment(`skipped README line ${b.line} (python) and what continues it: needs ${missing.join(', ')}, not installed here`);
        break;
      }
      ran.push(b);
    }
    const code = here(ran.map((b) => b.code).join('\n'));
    const r = await run('python3', ['-c', code]);
    t.equal(r.status, 0, `README line ${ran.map((b) => b.line).join(' + ')} (python) exits 0`, {
      stderr: r.stderr?.slice(-2000),
      stdout: r.stdout?.slice(-500),
    });
  }

  if (existsSync(bin)) {
    const npx = await run('npx', ['labelcheck', '--help']);
    t.equal(npx.status, 0, '`npx labelcheck` runs the built CLI', { stderr: npx.stderr.slice(-2000) });
    t.match(npx.stdout, /^labelcheck — find label errors/);
  }

  // tmp/ is where the snippets write their files: ignored by git and the Docker build.
  const added = readdirSync(root).filter((f) => !rootBefore.has(f) && f !== 'tmp');
  t.same(added, [], 'no snippet leaves new files in the repository root');
  t.match(readFileSync(join(root, '.gitignore'), 'utf8'), /^\/?tmp\/?$/m, 'tmp/ is ignored by git');
  t.match(readFileSync(join(root, 'docker/Dockerfile.dockerignore'), 'utf8'), /^\/?tmp\/?$/m, 'tmp/ stays out of the Docker build');
});

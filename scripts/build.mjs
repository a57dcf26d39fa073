#!/usr/bin/env node
/**
 * `npm run build` (and `npm ci`/`npm install` through `prepare`):
 *
 *   1. tsc → dist/ (type-checks; the library, its .d.ts files, the server and the workers);
 *   2. esbuild → dist/bin/labelcheck.js: the command line as ONE bundled file for what a
 *      one-shot command needs (the argument parser, then — loaded on demand as one chunk —
 *      the service with zod, apache-arrow and the engine inlined). Node then reads a
 *      handful of files instead of hundreds, which is most of a CLI call's start-up time.
 *      `serve`, `worker` and `cv-pred-probs` import the tsc output (dist/src/…) at run time:
 *      the server's dependencies (fastify, pino, piscina, pg, SQLite, tfjs) are not
 *      bundled (worker threads, native addons, transports loaded by file name).
 *
 * Other steps that belong to the build (e.g. a front-end bundle) can be added to STEPS.
 *
 *   node scripts/build.mjs              tsc + bundle
 *   node scripts/build.mjs --bundle-only the bundle only (after a tsc build)
 *   node scripts/build.mjs --if-sources as above, but only in a checkout that has the
 *                                       sources and the dev tools (`prepare`: a Docker
 *                                       stage that copies package.json first, or an
 *                                       install without devDependencies, skips it)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

if (args.includes('--if-sources')) {
  const missing = ['src/cli.ts', 'tsconfig.json'].filter((f) => !existsSync(join(root, f)));
  let tools = true;
  try {
    require.resolve('typescript/package.json');
    require.resolve('esbuild');
  } catch {
    tools = false;
  }
  if (missing.length > 0 || !tools) {
    console.log(
      `labelcheck: skipping the build (${missing.length > 0 ? `no ${missing.join(', ')}` : 'typescript/esbuild not installed'}); run \`npm run build\` once they are there`,
    );
    process.exit(0);
  }
  // `npx labelcheck` re-runs `prepare` when it links the checkout: nothing to do when the
  // bundle is newer than every input.
  if (builtAfterSources()) process.exit(0);
}

/** True when dist/bin/labelcheck.js is newer than the sources, package.json and this script. */
function builtAfterSources() {
  const built = statSync(join(root, 'dist/bin/labelcheck.js'), { throwIfNoEntry: false });
  if (!built) return false;
  const newest = (path) => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return 0;
    if (!st.isDirectory()) return st.mtimeMs;
    let t = st.mtimeMs;
    for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
    return t;
  };
  const inputs = ['src', 'models', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs'];
  return inputs.every((p) => newest(join(root, p)) < built.mtimeMs);
}

/** Packages the CLI bundle leaves to node_modules: native addons, worker-thread users, tfjs. */
const EXTERNAL = [
  'fastify',
  'fastify-plugin',
  'fastify-type-provider-zod',
  '@fastify/*',
  'pino',
  'pino-pretty',
  'piscina',
  'pg',
  'pg-boss',
  'better-sqlite3',
  'prom-client',
  '@tensorflow/*',
  'ml-matrix', // loaded lazily with createRequire (src/core/count.ts)
];

function tsc() {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
    cwd: root,
    stdio: 'inherit',
  });
}

/**
 * Imports made by src/cli.ts itself of anything outside src/cli/ and src/service/ (the
 * server, the job worker) stay imports — of the tsc output next to the bundle.
 */
const unbundledCommands = {
  name: 'labelcheck-unbundled-commands',
  setup(build) {
    const cliEntry = join(root, 'src/cli.ts');
    const outDir = join(root, 'dist/bin');
    build.onResolve({ filter: /^\./ }, (a) => {
      if (a.importer !== cliEntry) return undefined;
      const target = resolve(dirname(a.importer), a.path); // …/src/server.js
      const rel = relative(join(root, 'src'), target);
      if (rel.startsWith('cli/') || rel.startsWith('service/')) return undefined;
      let spec = relative(outDir, join(root, 'dist/src', rel)).split('\\').join('/');
      if (!spec.startsWith('.')) spec = `./${spec}`;
      return { path: spec, external: true };
    });
  },
};

/**
 * zod's namespace objects (`z.locales`, `z.core.locales`) re-export every translation of
 * its error messages (~360 kB of the bundle, a third of what a command parses at start-up).
 * labelcheck only uses the English messages zod installs by default, so in the bundle those
 * two namespaces are empty.
 */
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(a.importer) ? { path: 'zod-locales', namespace: 'labelcheck-empty' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'labelcheck-empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

async function bundleCli() {
  const esbuild = await import('esbuild');
  const { ENDPOINTS } = await import(pathToFileURL(join(root, 'dist/src/service/index.js')).href);
  rmSync(join(root, 'dist/bin'), { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { labelcheck: 'src/cli.ts' },
    outdir: 'dist/bin',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    plugins: [unbundledCommands, zodWithoutLocales],
    // Less text to parse at start-up; names are kept for readable stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    define: { __LABELCHECK_ENDPOINTS__: JSON.stringify(ENDPOINTS.map((e) => e.name)) },
    // CommonJS code inside the bundle may call require() for node built-ins.
    banner: { js: "import { createRequire as __lcCreateRequire } from 'node:module'; const require = __lcCreateRequire(import.meta.url);" },
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

/** The review app's front end: type-checked against the DOM, bundled by scripts/build-web.mjs. */
function web() {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.web.json')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts/build-web.mjs')], { cwd: root, stdio: 'inherit' });
}

const STEPS = [
  ...(args.includes('--bundle-only') ? [] : [['tsc', tsc]]),
  ['bundle the CLI', bundleCli],
  ...(args.includes('--bundle-only') ? [] : [['web front end', web]]),
];

for (const [name, step] of STEPS) {
  const t = performance.now();
  await step();
  if (args.includes('--verbose')) console.log(`build: ${name} ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

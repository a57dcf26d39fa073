#!/usr/bin/env node
/**
 * `npm ci` / `npm install` of this repository (postinstall):
 *
 * - links node_modules/.bin/labelcheck to the built CLI (dist/bin/labelcheck.js, which
 *   `prepare` builds right after), so `npx labelcheck` in the checkout runs it directly
 *   (npm does not link a project's own bin; npx would otherwise re-run the whole build on
 *   every call);
 * - says in one line when the optional @tensorflow/tfjs-node was not installed: npm drops
 *   an optional dependency whose install script fails (it downloads libtensorflow)
 *   without a word.
 */
import { existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// Only in a checkout (its own node_modules/), not when installed into another project.
const binDir = join(root, 'node_modules', '.bin');
if (existsSync(join(root, 'node_modules')) && existsSync(join(root, 'src', 'cli.ts'))) {
  const link = join(binDir, 'labelcheck');
  mkdirSync(binDir, { recursive: true });
  try {
    if (lstatSync(link, { throwIfNoEntry: false })) unlinkSync(link);
    symlinkSync('../../dist/bin/labelcheck.js', link);
  } catch (e) {
    console.log(`labelcheck: could not link node_modules/.bin/labelcheck (${e.code ?? e.message}); run the CLI as node dist/bin/labelcheck.js`);
  }
}

try {
  require.resolve('@tensorflow/tfjs-node/package.json');
} catch {
  console.log(
    'labelcheck: optional @tensorflow/tfjs-node is not installed (its libtensorflow download failed or was skipped); cv-pred-probs and models use the pure-JS tfjs "cpu" backend. Retry with: npm install @tensorflow/tfjs-node',
  );
}

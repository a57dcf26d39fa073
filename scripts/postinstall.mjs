#!/usr/bin/env node
/**
 * `npm ci` / `npm install` (postinstall): say in one line when the optional
 * @tensorflow/tfjs-node was not installed — npm drops an optional dependency whose install
 * script fails (it downloads libtensorflow) without a word.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
try {
  require.resolve('@tensorflow/tfjs-node/package.json');
} catch {
  console.log(
    'labelcheck: optional @tensorflow/tfjs-node is not installed (its libtensorflow download failed or was skipped); cv-pred-probs and models use the pure-JS tfjs "cpu" backend. Retry with: npm install @tensorflow/tfjs-node',
  );
}

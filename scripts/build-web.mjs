// Bundles the review app's front end (src/web/client/review.ts) into dist/web/review.js
// with esbuild: one small minified ES module, no runtime dependencies. Run by `npm run build`.
import { build } from 'esbuild';
import { statSync } from 'node:fs';

const outfile = 'dist/web/review.js';
await build({
  entryPoints: ['src/web/client/review.ts'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  outfile,
  legalComments: 'none',
  logLevel: 'warning',
});
console.log(`web: ${outfile} ${statSync(outfile).size} bytes`);

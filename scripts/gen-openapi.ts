/**
 * Write openapi/openapi.json (OpenAPI 3.1) from the app's routes and zod schemas.
 *   npm run openapi            regenerate
 *   npm run openapi -- --check exit 1 when the committed file is stale
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { openApiText } from '../src/openapi-document.js';

const target = new URL('../openapi/openapi.json', import.meta.url);
const text = await openApiText();

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== text) {
    process.stderr.write('openapi/openapi.json is stale: run `npm run openapi`\n');
    process.exit(1);
  }
  process.stdout.write('openapi/openapi.json is up to date\n');
} else {
  await mkdir(new URL('./', target), { recursive: true });
  await writeFile(target, text);
  process.stdout.write(`wrote openapi/openapi.json (${text.length} bytes)\n`);
}

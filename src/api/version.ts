/** The package version, read once from the nearest labelcheck package.json (src/ or dist/src/). */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = new URL('./', import.meta.url);
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'labelcheck' && pkg.version) return (cached = pkg.version);
    } catch {
      // not here: go up
    }
    dir = new URL('../', dir);
  }
  return (cached = '0.0.0');
}

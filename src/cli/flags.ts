/** Command-line flag parsing shared by every `labelcheck` command (no heavy imports). */

/** A mistake in the command line itself (unknown flag, missing value): usage + exit 2. */
export class UsageError extends Error {}

/** Parse `--flag value` pairs; a flag followed by another flag (or nothing) is `true`. */
export function parseFlags(args: readonly string[]): Map<string, string | true> {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw new UsageError(`Unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags.set(a.slice(2, eq), a.slice(eq + 1));
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags.set(a.slice(2), next);
      i++;
    } else {
      flags.set(a.slice(2), true);
    }
  }
  return flags;
}

export function kebabToSnake(flag: string): string {
  return flag.replace(/-/g, '_');
}

/** A flag value: JSON when it parses, else the string itself. */
export function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Serialise a response body in pieces: exactly the text of `JSON.stringify(value)`, but
 * large arrays (the label issues of a million-row dataset, `label_quality_scores`) are
 * written a batch of elements at a time, so no single multi-megabyte string is built.
 */

/** Arrays longer than this are written in batches of this many elements. */
const BATCH = 4096;

/** Write `JSON.stringify(value)` through `write`, piece by piece. */
export function writeJson(value: unknown, write: (s: string) => void): void {
  if (Array.isArray(value) && value.length > BATCH) {
    write('[');
    for (let start = 0; start < value.length; start += BATCH) {
      // JSON.stringify of a slice is "[a,b,…]": drop the brackets, join with commas.
      const text = JSON.stringify(value.slice(start, start + BATCH));
      write((start > 0 ? ',' : '') + text.slice(1, -1));
    }
    write(']');
    return;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !hasToJSON(value)) {
    write('{');
    let first = true;
    for (const [key, v] of Object.entries(value)) {
      // JSON.stringify leaves out properties it cannot represent.
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      write((first ? '' : ',') + JSON.stringify(key) + ':');
      first = false;
      writeJson(v, write);
    }
    write('}');
    return;
  }
  write(JSON.stringify(value));
}

function hasToJSON(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/**
 * Collect small pieces and pass them on in blocks of about `blockChars` characters; call
 * the returned `flush` at the end.
 */
export function bufferedWriter(write: (s: string) => void, blockChars = 1 << 16): { write: (s: string) => void; flush: () => void } {
  let pending: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    write(pending.length === 1 ? pending[0]! : pending.join(''));
    pending = [];
    size = 0;
  };
  return {
    write(s) {
      pending.push(s);
      size += s.length;
      if (size >= blockChars) flush();
    },
    flush,
  };
}

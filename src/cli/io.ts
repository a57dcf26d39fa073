/** The CLI's window on the outside world (replaced by a fake in tests). */
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => string;
  readFile: (path: string) => Uint8Array;
}

/**
 * A whole file in one buffer with (normally) one read call: the size comes from fstat, the
 * buffer is allocated once, uninitialised, and filled in place — no growing, no copies.
 * Loops only when the kernel returns a short read (files over 2 GiB, or a growing file).
 */
export function readWholeFile(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return readFileSync(fd); // /dev/stdin, pipes and procfs report 0
    const buf = Buffer.allocUnsafeSlow(size);
    let done = 0;
    while (done < size) {
      const got = readSync(fd, buf, done, size - done, null);
      if (got === 0) break;
      done += got;
    }
    return done === size ? buf : buf.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** Descriptors whose reader has gone away (`labelcheck … | head`): later output is dropped. */
const closed = new Set<number>();

/**
 * Write all of a string to a file descriptor, synchronously, in the order of the calls
 * (stdout may be a file, a terminal or a pipe).
 */
function writeAll(fd: number, s: string): void {
  if (closed.has(fd)) return;
  const bytes = Buffer.from(s, 'utf8');
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') {
        closed.add(fd);
        return;
      }
      // A non-blocking pipe that is full: wait a moment for the reader, then retry.
      if (code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

export const defaultIo: CliIo = {
  stdout: (s) => writeAll(1, s),
  stderr: (s) => writeAll(2, s),
  readStdin: () => readFileSync(0, 'utf8'),
  readFile: readWholeFile,
};

/**
 * GET /media/<path> (review.md §1): files under MEDIA_ROOT, served safely.
 * - The path is percent-decoded once, then resolved against the root; the real path
 *   (every `..` and symlink resolved) must lie inside the root's real path.
 * - Only regular files up to a size cap; only sniffed images (PNG, JPEG, GIF, WebP) and
 *   UTF-8 text. SVG and HTML are served as text/plain, never rendered. Anything else: 404.
 * - `nosniff`, a sandboxing CSP, and no directory listings.
 */
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

export const MEDIA_MAX_BYTES = 20 * 1024 * 1024;

export interface MediaFile {
  type: string;
  bytes: Buffer;
}

function sniff(head: Buffer): string | null {
  const starts = (...b: number[]) => b.every((v, i) => head[i] === v);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (head.subarray(0, 6).toString('latin1') === 'GIF87a' || head.subarray(0, 6).toString('latin1') === 'GIF89a') return 'image/gif';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (head.includes(0)) return null;
  try {
    // stream: a character cut at the end of the sniffed head is not an error
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return null;
  }
  return 'text/plain; charset=utf-8';
}

/** Whether `child` (a real path) is `root` itself or inside it. */
function inside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Read the media file at the raw (still percent-encoded) path below /media/, or null when
 * it must not be served (outside the root, not a regular file, too large, unknown type).
 */
export async function readMedia(root: string, rawPath: string, maxBytes = MEDIA_MAX_BYTES): Promise<MediaFile | null> {
  let rel: string;
  try {
    rel = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (rel.length === 0 || rel.includes('\0') || rel.includes('\\')) return null;
  let realRoot: string;
  let real: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(resolve(realRoot, rel));
  } catch {
    return null;
  }
  if (!inside(realRoot, real)) return null;
  const fh = await open(real, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > maxBytes) return null;
    const bytes = await fh.readFile();
    const type = sniff(bytes.subarray(0, 4096));
    return type === null ? null : { type, bytes };
  } finally {
    await fh.close();
  }
}

/**
 * GET /media/<path> (review.md §1): regular files inside MEDIA_ROOT only, after every `..`
 * and symlink is resolved; sniffed types; everything else 404.
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.js';
import { testConfig } from '../../src/config.js';
import { createWebPlugin } from '../../src/web/plugin.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1e2b0a10000000049454e44ae426082', 'hex');

const dir = mkdtempSync(join(tmpdir(), 'lc-media-'));
const root = join(dir, 'media');
mkdirSync(join(root, 'sub', 'deeper'), { recursive: true });
writeFileSync(join(root, 'ok.png'), PNG);
writeFileSync(join(root, 'sub', 'note.txt'), 'a caption — ünïcode\n');
writeFileSync(join(root, 'evil.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
writeFileSync(join(root, 'blob.bin'), Buffer.from([0, 1, 2, 3, 0, 255]));
writeFileSync(join(dir, 'secret.txt'), 'outside the root');
symlinkSync(join(dir, 'secret.txt'), join(root, 'link-out.txt'));
symlinkSync(dir, join(root, 'dir-out'));
symlinkSync(join(root, 'ok.png'), join(root, 'sub', 'link-in.png'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const app = buildApp(testConfig({ mediaRoot: root }), { startPool: false, logger: false, rootPlugins: [createWebPlugin()] });
t.teardown(() => app.close());

t.test('files inside the root are served with a sniffed type', async (t) => {
  const png = await app.inject({ url: '/media/ok.png' });
  t.equal(png.statusCode, 200);
  t.equal(png.headers['content-type'], 'image/png');
  t.equal(png.headers['x-content-type-options'], 'nosniff');
  t.match(png.headers['content-security-policy'], /sandbox/);
  t.same(png.rawPayload, PNG);
  const txt = await app.inject({ url: '/media/sub/note.txt' });
  t.equal(txt.statusCode, 200);
  t.match(txt.headers['content-type'], 'text/plain');
  t.equal(txt.body, 'a caption — ünïcode\n');
  const enc = await app.inject({ url: '/media/sub/%6eote.txt' });
  t.equal(enc.statusCode, 200, 'percent-encoded names are decoded once');
  const svg = await app.inject({ url: '/media/evil.svg' });
  t.equal(svg.statusCode, 200);
  t.match(svg.headers['content-type'], /^text\/plain/, 'SVG is never served as an image (no script)');
  t.equal((await app.inject({ url: '/media/sub/link-in.png' })).statusCode, 200, 'a symlink that stays inside is fine');
  t.equal((await app.inject({ url: '/media/sub/../ok.png' })).statusCode, 200, '.. that stays inside is fine');
});

t.test('traversal and anything not a regular file inside the root → 404', async (t) => {
  for (const url of [
    '/media/../secret.txt',
    '/media/%2e%2e/secret.txt',
    '/media/%2E%2E%2Fsecret.txt',
    '/media/sub/..%2F..%2F..%2Fsecret.txt',
    '/media/sub/deeper/../../../secret.txt',
    '/media/..%5csecret.txt',
    '/media/%252e%252e/secret.txt',
    '/media/link-out.txt',
    '/media/dir-out/secret.txt',
    `/media/${encodeURIComponent(join(dir, 'secret.txt'))}`,
    '/media//etc/passwd',
    '/media/sub',
    '/media/sub/',
    '/media/',
    '/media/missing.png',
    '/media/ok.png%00.txt',
    '/media/blob.bin',
  ]) {
    const r = await app.inject({ url });
    t.equal(r.statusCode, 404, url);
    t.notMatch(r.body, 'outside the root', `${url} leaks nothing`);
  }
});

t.test('a malformed percent-encoding is refused by the router', async (t) => {
  const r = await app.inject({ url: '/media/%E0%A4%A' });
  t.equal(r.statusCode, 400);
});

t.test('without MEDIA_ROOT nothing is served', async (t) => {
  const bare = buildApp(testConfig({ mediaRoot: undefined }), { startPool: false, logger: false, rootPlugins: [createWebPlugin()] });
  t.teardown(() => bare.close());
  t.equal((await bare.inject({ url: '/media/ok.png' })).statusCode, 404);
});

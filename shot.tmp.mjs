import { chromium } from 'playwright-core';
const [url, out, h] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const p = await b.newPage({ viewport: { width: 1280, height: 900 } });
await p.goto(url);
const total = await p.evaluate(() => document.body.scrollHeight);
for (let y = 0, i = 0; y < Math.min(total, Number(h)); y += 1400, i++) {
  await p.screenshot({ path: `${out}-${i}.png`, clip: { x: 0, y, width: 1280, height: Math.min(1400, total - y) }, fullPage: true });
}
console.log(total);
await b.close();

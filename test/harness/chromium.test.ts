import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { serveHttp } from './http.js';
import { chromiumBinary, describeWithServices, useService } from './services.js';

// The text changes only if the page's script runs, so reading it proves a real browser rendered the page.
const PAGE = `<!doctype html><html><head><title>harness</title></head>
<body><h1 id="status">served</h1><script>document.getElementById('status').textContent = 'rendered by script';</script></body></html>`;

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  // The IHDR chunk comes first; its width and height follow the chunk length and type.
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describeWithServices('launchChromium', [chromiumBinary()], () => {
  const site = useService(() =>
    serveHttp((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    }),
  );
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('renders a page from a loopback server and takes a screenshot', async () => {
    const page = await browser!.newPage({ viewport: { width: 640, height: 360 } });
    try {
      await page.goto(site().url);
      expect(await page.title()).toBe('harness');
      expect(await page.textContent('#status')).toBe('rendered by script');
      expect(pngSize(await page.screenshot())).toEqual({ width: 640, height: 360 });
    } finally {
      await page.close();
    }
  });
});

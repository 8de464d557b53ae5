import { chromium, type Browser } from 'playwright-core';
import { chromiumBinary, requireBinary } from './services.js';

/**
 * Launches headless Chromium (Debian's, or $CHROMIUM_PATH) through playwright-core. Close it with
 * browser.close(); playwright also kills it when the test process exits.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireBinary(chromiumBinary()),
    // No sandbox because tests run as root; the rest stops Chromium from calling Google's services,
    // which this network refuses and which would only slow it down.
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

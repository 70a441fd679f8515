// Debian's chromium under playwright-core, as every browser test starts it: headless, no sandbox (root), and none
// of the background networking that this machine's closed network refuses.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function launchChromium() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

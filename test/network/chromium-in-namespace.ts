// Real Chromium (Debian's /usr/bin/chromium, driven by playwright-core) started inside a network
// namespace of the test world, e.g. the runner host's, where the preview proxy listens. Chromium
// talks to Playwright over pipes, so the browser can live in a namespace the test process is not in.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";

/** A browser in `netns`; close() stops it and removes its wrapper script. */
export async function launchChromiumIn(netns: string): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "burrow-chromium-"));
  const wrapper = path.join(dir, "chromium");
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${netns} /usr/bin/chromium "$@"\n`);
  chmodSync(wrapper, 0o755);
  try {
    const browser = await chromium.launch({ executablePath: wrapper, args: ["--no-sandbox", "--disable-gpu", "--no-first-run"], timeout: 60_000 });
    return { browser, close: async () => {
      await browser.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    } };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

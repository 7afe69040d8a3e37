import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium (scripts/setup.sh --oracles installs it). */
export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

/** Under CI=true a missing Chromium fails the run; elsewhere the browser tests are skipped, naming it. */
export const skipBrowser = (() => {
  if (CHROMIUM) return false;
  if (process.env.CI === "true")
    throw new Error("chromium is missing: run scripts/setup.sh --oracles (Debian package chromium)");
  console.warn("skipping the browser tests: Debian's chromium is not installed (apt-get install chromium)");
  return true;
})();

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM!,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu"],
  });
}

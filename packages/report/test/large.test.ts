import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { openRepository } from "@homeops/repo";
import { describe, expect, it } from "vitest";
import { generateRepo } from "../../../bench/generate-repo.mjs";
import { createReport, writeReport } from "../src/index.js";
import { launchChromium, skipBrowser } from "./browser.js";

describe.skipIf(skipBrowser)("the report of the N = 1,000 synthetic repository in Chromium", () => {
  it("renders graph and catalog, and filtering by namespace responds", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "homeops-report-large-")), "repo");
    generateRepo(dir, 1000);
    const repo = await openRepository(".", { cwd: dir });
    const model = await createReport(repo, { helm: { render: false } });
    expect(model.apps).toHaveLength(1000);
    await writeReport(model, dir);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(pathToFileURL(join(dir, "dashboards/site/index.html")).href);
      expect(await page.locator("#catalog tbody tr").count()).toBe(1000);
      expect(await page.locator("#graph .node").count()).toBe(model.nodes.length);
      await page.selectOption("#namespace", "ns-07");
      await expect.poll(() => page.locator("#shown").textContent()).toBe("20");
      const namespaces = await page.$$eval("#catalog tbody tr:not([hidden])", (rows) => [
        ...new Set(rows.map((r) => r.getAttribute("data-namespace"))),
      ]);
      expect(namespaces).toEqual(["ns-07"]);
      // app-007 is ns-07's first app, which the others there depend on (the search matches dependsOn): one
      // that nothing depends on is found alone
      await page.fill("#search", "app-057");
      await expect.poll(() => page.locator("#shown").textContent()).toBe("1");
      await page.locator('.node[data-id="HelmRelease/ns-07/app-057"]').click();
      expect(await page.locator("#details").innerText()).toContain("app-057");
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);
});

import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { openRepository, requireFluxRoots, rootGraph } from "@homeops/repo";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReport, writeReport } from "../src/index.js";
import { launchChromium, skipBrowser } from "./browser.js";

const repoRoot = resolve(import.meta.dirname, "../../..");

describe.skipIf(skipBrowser)("the report page in Chromium (sample repository)", () => {
  let browser: Browser;
  let out: string;
  let expected: { apps: string[]; nodes: number; edges: number };
  beforeAll(async () => {
    const repo = await openRepository(".", { cwd: repoRoot });
    out = mkdtempSync(join(tmpdir(), "homeops-report-"));
    const model = await createReport(repo, { helm: { render: false } });
    await writeReport(model, out);
    // what the page must show, from the repository itself
    const appsDir = join(repoRoot, "kubernetes/apps");
    const apps = readdirSync(appsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((ns) =>
        readdirSync(join(appsDir, ns.name), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => d.name),
      );
    const graphs = await Promise.all((await requireFluxRoots(repo)).map((r) => rootGraph(repo, r)));
    const hrs = graphs.flatMap((g) => g.helmReleases);
    expected = {
      apps,
      nodes: graphs.reduce((n, g) => n + g.kustomizations.length, 0) + hrs.length,
      edges:
        graphs.reduce((n, g) => n + g.kustomizations.reduce((m, k) => m + k.dependsOn.length, 0), 0) +
        hrs.reduce(
          (n, h) => n + ((h.object.object.spec as { dependsOn?: unknown[] }).dependsOn ?? []).length,
          0,
        ),
    };
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => browser?.close());

  it("loads with no console errors and no requests but its own files; catalog, filter, graph, romm, screenshot", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => requests.push(r.url()));
    const site = pathToFileURL(join(out, "dashboards/site")).href;
    await page.goto(`${site}/index.html`);
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(`${site}/`))).toEqual([]);

    const listed = await page.$$eval("#catalog tbody tr", (rows) =>
      rows.map((r) => r.getAttribute("data-app")),
    );
    for (const app of expected.apps) expect(listed, app).toContain(app);

    await page.selectOption("#namespace", "games");
    const visible = await page.$$eval("#catalog tbody tr:not([hidden])", (rows) =>
      rows.map((r) => r.getAttribute("data-namespace")),
    );
    expect(visible.length).toBeGreaterThan(0);
    expect(new Set(visible)).toEqual(new Set(["games"]));
    expect(visible.length).toBeLessThan(listed.length);

    expect(await page.locator(".node").count()).toBe(expected.nodes);
    expect(await page.locator(".edge").count()).toBe(expected.edges);

    await page.locator('.node[data-id$="/romm"][data-id^="Kustomization/"]').click();
    const details = await page.locator("#details").innerText();
    expect(details).toContain("romm — component kubernetes/components/volsync");
    expect(details).toContain("romm-secret — ExternalSecret romm (store vault, key romm)");
    for (const dep of ["external-secrets/external-secrets-stores", "storage/openebs", "storage/volsync"])
      expect(details).toContain(dep);
    expect(details).toMatch(/kubernetes\/apps\/games\/romm\/ks\.yaml:\d+/);
    // hostnames as written: the placeholder, not the value substituted into the build
    const rommRow = await page.locator('#catalog tbody tr[data-app="romm"]').innerText();
    expect(rommRow).toContain("${SECRET_DOMAIN}");
    expect(rommRow).not.toContain("x-secret-domain");

    const shot = join(mkdtempSync(join(tmpdir(), "homeops-report-shot-")), "report.png");
    await page.screenshot({ path: shot, fullPage: false });
    expect(errors).toEqual([]);
  });
});

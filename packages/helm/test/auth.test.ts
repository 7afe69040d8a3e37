// OCI registry credentials: a Docker config.json's `auths` entry drives the registry token flow (401 with a Bearer
// challenge → token request with Basic credentials → retry with the token). The registry here is a small
// in-process one that demands exactly that flow; the protocol side of pulls is tested against a real registry
// in pull.test.ts.
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ChartCache } from "../src/cache.js";
import { pullChart, readRegistryConfig } from "../src/pull.js";
import { CHARTS } from "./support/oracle.js";
import { packChart } from "./support/tgz.js";

const temps: string[] = [];
afterAll(async () => Promise.all(temps.map((t) => rm(t, { recursive: true, force: true }))));

describe("registry credentials", () => {
  it("pulls through the Bearer token flow with credentials from a registry config", async () => {
    const archive = Buffer.from(packChart(join(CHARTS, "strict"), "strict"));
    const digest = `sha256:${createHash("sha256").update(archive).digest("hex")}`;
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const auth = req.headers.authorization ?? "";
      seen.push(`${req.url} ${auth.split(" ")[0] ?? ""}`);
      if (req.url?.startsWith("/token")) {
        if (auth !== `Basic ${Buffer.from("robot:s3cret").toString("base64")}`)
          return void res.writeHead(401).end();
        return void res.writeHead(200, { "content-type": "application/json" }).end('{"token":"t0k"}');
      }
      if (auth !== "Bearer t0k") {
        const realm = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`;
        return void res
          .writeHead(401, {
            "www-authenticate": `Bearer realm="${realm}",service="reg",scope="repository:charts/strict:pull"`,
          })
          .end();
      }
      if (req.url === "/v2/charts/strict/manifests/0.3.1")
        return void res.writeHead(200).end(
          JSON.stringify({
            layers: [
              {
                mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                digest,
                size: archive.length,
              },
            ],
          }),
        );
      if (req.url === `/v2/charts/strict/blobs/${digest}`) return void res.writeHead(200).end(archive);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    const dir = await mkdtemp(join(tmpdir(), "homeops-auth-"));
    temps.push(dir);
    try {
      await writeFile(
        join(dir, "config.json"),
        JSON.stringify({ auths: { [host]: { auth: Buffer.from("robot:s3cret").toString("base64") } } }),
      );
      const credentials = await readRegistryConfig(join(dir, "config.json"));
      const cache = new ChartCache({ dir: join(dir, "cache") });
      const source = { type: "oci" as const, url: `oci://${host}/charts/strict`, chart: "strict" };
      const entry = await pullChart(source, "0.3.1", cache, { credentials, insecure: true });
      expect(entry.digest).toBe(digest);
      expect(seen).toEqual([
        "/v2/charts/strict/manifests/0.3.1 Basic", // credentials for this host are sent up front
        "/token?service=reg&scope=repository%3Acharts%2Fstrict%3Apull Basic",
        "/v2/charts/strict/manifests/0.3.1 Bearer",
        `/v2/charts/strict/blobs/${digest} Bearer`,
      ]);
      // without credentials the token request is refused: a clear pull error, nothing cached
      const error = await pullChart(source, "0.3.1", new ChartCache({ dir: join(dir, "c2") }), {
        insecure: true,
      }).catch((e) => e);
      expect(error.code).toBe("CHART_PULL_FAILED");
      expect(error.message).toMatch(/token request to http:\/\/127\.0\.0\.1:\d+\/token: HTTP 401/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

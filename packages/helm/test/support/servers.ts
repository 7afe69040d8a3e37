import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./oracle.js";

export const REGISTRY = join(REPO_ROOT, ".tools/bin/registry");
export const haveRegistry = existsSync(REGISTRY);

const digestOf = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A real OCI registry (github.com/distribution/distribution/v3) on 127.0.0.1 with filesystem storage in a temp dir. */
export async function startRegistry(): Promise<{ host: string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "homeops-registry-"));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = join(dir, "config.yml");
    await writeFile(
      config,
      [
        "version: 0.1",
        "log:",
        "  level: error",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${join(dir, "data")}`,
        "http:",
        `  addr: 127.0.0.1:${port}`,
        "",
      ].join("\n"),
    );
    const child: ChildProcess = spawn(REGISTRY, ["serve", config], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { PATH: process.env.PATH ?? "", OTEL_TRACES_EXPORTER: "none", OTEL_SDK_DISABLED: "true" },
    });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    const host = `127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) break;
      try {
        const res = await fetch(`http://${host}/v2/`);
        if (res.status === 200) {
          return {
            host,
            stop: () =>
              new Promise<void>((resolve) => {
                child.once("exit", () => resolve());
                child.kill("SIGTERM");
              }),
          };
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    if (attempt >= 2) throw new Error(`registry did not start: ${stderr}`);
  }
}

/** Pushes a chart archive as Helm does: config blob (Chart.yaml as JSON), the chart layer, an OCI manifest tagged `version`. */
export async function pushChart(
  host: string,
  name: string,
  version: string,
  archive: Uint8Array,
  chartJson: object,
) {
  const upload = async (bytes: Uint8Array) => {
    const digest = digestOf(bytes);
    const start = await fetch(`http://${host}/v2/${name}/blobs/uploads/`, { method: "POST" });
    if (start.status !== 202) throw new Error(`upload start: ${start.status}`);
    const location = new URL(start.headers.get("location") ?? "", `http://${host}`);
    location.searchParams.set("digest", digest);
    const put = await fetch(location, {
      method: "PUT",
      body: bytes,
      headers: { "content-type": "application/octet-stream" },
    });
    if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`);
    return { digest, size: bytes.length };
  };
  const config = new TextEncoder().encode(JSON.stringify(chartJson));
  const c = await upload(config);
  const l = await upload(archive);
  const manifest = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.cncf.helm.config.v1+json", ...c },
    layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", ...l }],
  };
  const res = await fetch(`http://${host}/v2/${name}/manifests/${version.replace(/\+/g, "_")}`, {
    method: "PUT",
    body: JSON.stringify(manifest),
    headers: { "content-type": manifest.mediaType },
  });
  if (res.status !== 201) throw new Error(`manifest: ${res.status} ${await res.text()}`);
  return l.digest;
}

/** A plain HTTP Helm repository (index.yaml + .tgz) on 127.0.0.1:<random>. */
export async function startHelmRepo(charts: { name: string; version: string; archive: Uint8Array }[]) {
  const files = new Map<string, Uint8Array>();
  const entries: Record<string, unknown[]> = {};
  for (const c of charts) {
    const file = `${c.name}-${c.version}.tgz`;
    files.set(`/${file}`, c.archive);
    const list = entries[c.name] ?? [];
    entries[c.name] = list;
    list.push({
      apiVersion: "v2",
      name: c.name,
      version: c.version,
      digest: digestOf(c.archive).slice("sha256:".length),
      urls: [file],
    });
  }
  const index = `apiVersion: v1\nentries: ${JSON.stringify(entries)}\n`;
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? "");
    if (req.url === "/index.yaml") {
      res.writeHead(200, { "content-type": "text/yaml" }).end(index);
      return;
    }
    const body = files.get(req.url ?? "");
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { "content-type": "application/gzip" }).end(Buffer.from(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

import { renderGraphSvg } from "./graph.js";
import type { ReportModel } from "./model.js";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const CSS = `body{font-family:system-ui,sans-serif;margin:0 1.5rem 2rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
td ul{margin:0;padding-left:1rem}.muted{color:#777}#graph-box{overflow:auto;max-height:70vh;border:1px solid #ccc}
.node{cursor:pointer}.node.selected rect{stroke-width:3px}#details{border:1px solid #ccc;padding:.5rem 1rem;margin-top:.5rem;min-height:2rem}
.sev-error{color:#b00020}.sev-warning{color:#8a6d00}.sev-info{color:#1f618d}code{font-size:12px}
.controls{display:flex;gap:1rem;margin:.5rem 0}.absent{border:1px dashed #999;padding:.5rem 1rem;color:#555}`;

/** Runs in the page: search, namespace filter, node details. No network, no libraries. */
const SCRIPT = `(() => {
const model = JSON.parse(document.getElementById("model").textContent);
const rows = [...document.querySelectorAll("#catalog tbody tr")];
const search = document.getElementById("search"), ns = document.getElementById("namespace");
function filter() {
  const q = search.value.trim().toLowerCase(), n = ns.value;
  let shown = 0;
  for (const r of rows) {
    const ok = (!n || r.dataset.namespace === n) && (!q || r.textContent.toLowerCase().includes(q));
    r.hidden = !ok; if (ok) shown++;
  }
  document.getElementById("shown").textContent = String(shown);
}
search.addEventListener("input", filter); ns.addEventListener("change", filter);
const byId = new Map(model.nodes.map((n) => [n.id, n]));
const apps = new Map(model.apps.map((a) => [a.id, a]));
const details = document.getElementById("details");
const li = (items) => items.length ? "<ul>" + items.map((i) => "<li>" + i + "</li>").join("") + "</ul>" : "<span class=muted>none</span>";
const e = (s) => String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
const at = (x) => x.file ? " <code>" + e(x.file) + ":" + x.line + "</code>" : "";
function show(id) {
  const n = byId.get(id); if (!n) return;
  document.querySelectorAll(".node.selected").forEach((g) => g.classList.remove("selected"));
  const g = document.querySelector('.node[data-id="' + CSS.escape(id) + '"]'); if (g) g.classList.add("selected");
  const deps = model.edges.filter((x) => x.from === id).map((x) => e(x.to));
  const dependents = model.edges.filter((x) => x.to === id).map((x) => e(x.from));
  const app = apps.get(id);
  let html = "<h3>" + e(n.kind + " " + n.namespace + "/" + n.name) + "</h3>" +
    (n.missing ? "<p class=sev-error>not declared in the repository</p>" : "<p>" + at(n).trim() + "</p>") +
    (n.state ? "<p>Ready state: <b>" + e(n.state) + "</b></p>" : "") +
    "<p>findings: " + n.findings + "</p><h4>dependsOn</h4>" + li(deps) + "<h4>needed by</h4>" + li(dependents);
  if (app) html += "<h4>claims</h4>" + li(app.claims.map((c) => e(c.name) + " — " + e(c.source) + at(c))) +
    "<h4>secrets</h4>" + li(app.secrets.map((s) => e(s.name) + " — " + e(s.producer) + at(s))) +
    "<h4>images</h4>" + li(app.images.map(e));
  details.innerHTML = html;
}
document.querySelectorAll(".node").forEach((g) => {
  g.addEventListener("click", () => show(g.dataset.id));
  g.addEventListener("keydown", (ev) => { if (ev.key === "Enter") show(g.dataset.id); });
});
document.querySelectorAll("[data-node]").forEach((a) => a.addEventListener("click", (ev) => { ev.preventDefault(); show(a.dataset.node); document.getElementById("graph-section").scrollIntoView(); }));
})();`;

const list = (items: string[]) =>
  items.length === 0
    ? '<span class="muted">—</span>'
    : `<ul>${items.map((i) => `<li>${i}</li>`).join("")}</ul>`;
const at = (x: { file?: string | undefined; line?: number | undefined }) =>
  x.file ? ` <code>${esc(x.file)}:${x.line ?? 1}</code>` : "";

/** The static site of a report: one self-contained HTML page (no external assets), by file name. */
export function renderSite(model: ReportModel, options: { title?: string } = {}): Record<string, string> {
  const title = options.title ?? "homeops report";
  const namespaces = [...new Set(model.apps.map((a) => a.namespace))].sort();
  const catalog = model.apps
    .map(
      (a) => `<tr data-app="${esc(a.name)}" data-namespace="${esc(a.namespace)}">
<td><a href="#" data-node="${esc(a.id)}">${esc(a.name)}</a></td><td>${esc(a.namespace)}</td><td>${esc(a.kustomization)}${at(a)}</td>
<td>${list(a.charts.map((c) => `${esc(c.release)}: ${esc(c.chart)} ${esc(c.version)}`))}</td><td>${list(a.images.map(esc))}</td>
<td>${list(a.routes.map(esc))}</td><td class="claims">${list(a.claims.map((c) => `${esc(c.name)} — ${esc(c.source)}`))}</td>
<td class="secrets">${list(a.secrets.map((s) => `${esc(s.name)} — ${esc(s.producer)}`))}</td><td>${list(a.dependsOn.map(esc))}</td>
<td>${a.findings}</td></tr>`,
    )
    .join("\n");
  const findings =
    model.findings.length === 0
      ? "<p>No findings.</p>"
      : model.findings
          .map(
            (
              g,
            ) => `<details class="rule" data-rule="${esc(g.ruleId)}"><summary class="sev-${g.severity}"><b>${esc(g.ruleId)}</b> (${esc(g.stage)}) — ${g.findings.length}${g.title ? ` — ${esc(g.title)}` : ""}</summary>
${list(g.findings.map((f) => `<span class="sev-${f.severity}">${f.severity}</span>${at(f)} ${esc(f.message)}`))}</details>`,
          )
          .join("\n");
  const live = model.live
    ? `<p>Flux Ready: <b>${model.live.ready}/${model.live.total}</b></p><table id="live-table"><thead><tr><th>kind</th><th>namespace/name</th><th>state</th><th>reason</th><th>message</th></tr></thead><tbody>
${model.live.rows.map((r) => `<tr><td>${esc(r.kind)}</td><td>${esc(r.namespace)}/${esc(r.name)}</td><td>${esc(r.state)}</td><td>${esc(r.reason)}</td><td>${esc(r.message)}</td></tr>`).join("\n")}</tbody></table>`
    : `<p class="absent" id="live-absent">Live status: not available — this report was made offline (run <code>homeops report --kubeconfig &lt;file&gt;</code> to include it).</p>`;
  const data = JSON.stringify(model).replace(/</g, "\\u003c");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title><style>${CSS}</style></head><body>
<h1>${esc(title)}</h1>
<p class="muted">Flux root${model.roots.length === 1 ? "" : "s"}: ${model.roots.map(esc).join(", ")} · ${model.apps.length} apps · ${model.nodes.filter((n) => !n.missing).length} Flux objects · ${model.findings.reduce((n, g) => n + g.findings.length, 0)} findings</p>
<section id="catalog-section"><h2>Apps</h2><div class="controls">
<input id="search" type="search" placeholder="search apps, images, hosts…" aria-label="search">
<select id="namespace" aria-label="namespace"><option value="">all namespaces</option>${namespaces.map((n) => `<option>${esc(n)}</option>`).join("")}</select>
<span><span id="shown">${model.apps.length}</span> shown</span></div>
<table id="catalog"><thead><tr><th>app</th><th>namespace</th><th>Flux Kustomization</th><th>chart</th><th>images</th><th>routes</th><th>claims</th><th>secrets</th><th>dependsOn</th><th>findings</th></tr></thead><tbody>
${catalog}
</tbody></table></section>
<section id="graph-section"><h2>dependsOn graph</h2><p class="muted">Kustomizations (KS) and HelmReleases (HR); colour: ${model.live ? "Ready state" : "worst finding"}. Click a node for details.</p>
<div id="graph-box">${renderGraphSvg(model)}</div><div id="details"><span class="muted">Select a node.</span></div></section>
<section id="findings-section"><h2>Findings</h2>${findings}</section>
<section id="live-section"><h2>Live status</h2>${live}</section>
<script type="application/json" id="model">${data}</script>
<script>${SCRIPT}</script>
</body></html>
`;
  return { "index.html": html };
}

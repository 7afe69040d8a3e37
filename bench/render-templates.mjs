#!/usr/bin/env node
// The same templates twice, for (a) of run.mjs: `homeops render` (eta, `#{ }#` / `#{= }#`, `it.*`, `h.*`)
// and makejinja (Jinja with cluster-template's delimiters `#{ }#` / `#% %#` / `#| |#`, makejinja.toml,
// a plugin for the one helper). Both render every file of the synthetic repository of generate-repo.mjs
// from the repository's own bootstrap/config.yaml; a few values come from the config, as in
// cluster-template: the timezone, the secret store, the storage class, one loop (DNS servers), one
// conditional (apps.observability) and one helper (nthHost of the node CIDR) in every HelmRelease.
//
//   <dir>/homeops/bootstrap/{config.yaml,templates/**.eta}   homeops -C <dir>/homeops render
//   <dir>/makejinja/{makejinja.toml,config.yaml,plugin.py,templates/**.j2}
//                                                            (cd <dir>/makejinja && makejinja) → out/
// Usage: node bench/render-templates.mjs <dir> [apps=200]
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { root } from "./common.mjs";
import { repoFiles } from "./generate-repo.mjs";

const ETA = {
  value: (expr) => `#{= it.${expr} }#`,
  helper: () => "#{= h.nthHost(it.network.nodeCidr, 1) }#",
  loop: (body) =>
    `#{ for (const [i, server] of it.network.dnsServers.entries()) { }#\n${body("#{= i }#", "#{= server }#")}#{ } }#\n`,
  when: (body) => `#{ if (it.apps.observability) { }#\n${body}#{ } }#\n`,
};
const JINJA = {
  value: (expr) => `#{ ${expr} }#`,
  helper: () => "#{ network.nodeCidr | nthhost(1) }#",
  loop: (body) =>
    `#% for server in network.dnsServers %#\n${body("#{ loop.index0 }#", "#{ server }#")}#% endfor %#\n`,
  when: (body) => `#% if apps.observability %#\n${body}#% endif %#\n`,
};

/** One generated file as a template of `engine`'s syntax. */
function templateOf(text, path, engine) {
  let t = text
    .replaceAll("TZ: Etc/UTC", `TZ: ${engine.value("cluster.timezone")}`)
    .replaceAll(
      "kind: ClusterSecretStore\n    name: onepassword",
      `kind: ${engine.value("secrets.store.kind")}\n    name: ${engine.value("secrets.store.name")}`,
    )
    .replaceAll(
      "name: onepassword\nspec:\n  provider",
      `name: ${engine.value("secrets.store.name")}\nspec:\n  provider`,
    )
    .replaceAll(":=ceph-block}", `:=${engine.value("storage.defaultStorageClass")}}`);
  if (path.endsWith("/helmrelease.yaml")) {
    t = t.replace(
      /( {14}TZ: .*\n)/,
      `$1              GATEWAY: "${engine.helper()}"\n${engine.loop((i, s) => `              DNS_${i}: "${s}"\n`)}`,
    );
    t = t.replace(
      "    persistence:\n",
      `${engine.when("    serviceMonitor:\n      app:\n        serviceName: ${APP}\n        endpoints:\n          - port: http\n            scheme: http\n            path: /metrics\n")}    persistence:\n`,
    );
  }
  return t;
}

const MAKEJINJA_TOML = `# makejinja's configuration as cluster-template writes it (templates/config → the repository)
[makejinja]
inputs = ["./templates"]
output = "./out"
data = ["./config.yaml"]
import_paths = ["."]
plugins = ["plugin:Plugin"]
jinja_suffix = ".j2"
force = true
undefined = "strict"
quiet = true

[makejinja.delimiter]
block_start = "#%"
block_end = "%#"
comment_start = "#|"
comment_end = "#|"
variable_start = "#{"
variable_end = "}#"
`;

const PLUGIN = `# makejinja plugin: the helper the templates use (homeops' h.nthHost)
import ipaddress

from makejinja.plugin import Filters


def nthhost(cidr: str, n: int) -> str:
    return str(ipaddress.ip_network(cidr, strict=False)[n])


class Plugin:
    def __init__(self, env, data):
        pass

    def filters(self) -> Filters:
        return [nthhost]
`;

/** Writes both template trees for `apps` apps under `dir`; returns the number of templates per tree. */
export function writeRenderInputs(dir, apps = 200) {
  rmSync(dir, { recursive: true, force: true });
  const { files } = repoFiles(apps);
  const put = (file, text) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  const config = join(root, "bootstrap/config.yaml");
  mkdirSync(join(dir, "homeops/bootstrap"), { recursive: true });
  copyFileSync(config, join(dir, "homeops/bootstrap/config.yaml"));
  mkdirSync(join(dir, "makejinja"), { recursive: true });
  copyFileSync(config, join(dir, "makejinja/config.yaml"));
  put("makejinja/makejinja.toml", MAKEJINJA_TOML);
  put("makejinja/plugin.py", PLUGIN);
  for (const [path, text] of files) {
    put(`homeops/bootstrap/templates/${path}.eta`, templateOf(text, path, ETA));
    put(`makejinja/templates/${path}.j2`, templateOf(text, path, JINJA));
  }
  return { templates: files.size };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, apps] = process.argv.slice(2);
  if (!out) {
    process.stderr.write("usage: node bench/render-templates.mjs <dir> [apps=200]\n");
    process.exit(2);
  }
  const { templates } = writeRenderInputs(out, Number(apps ?? 200));
  process.stdout.write(`wrote ${templates} templates per engine to ${out}/{homeops,makejinja}\n`);
}

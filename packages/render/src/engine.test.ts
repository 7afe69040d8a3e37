import { describe, expect, it } from "vitest";
import { TemplateEngine, TemplateError } from "./engine.js";

const data = {
  cluster: { name: "home", domain: "${SECRET_DOMAIN}" },
  network: { nodeCidr: "10.10.0.0/24" },
  apps: { romm: true, grafana: false },
  nodes: [
    { name: "k8s-0", address: "10.10.0.10" },
    { name: "k8s-1", address: "10.10.0.11" },
  ],
};

function render(source: string, file = "t.yaml.eta"): string {
  return new TemplateEngine().render(source, data, file);
}

describe("TemplateEngine", () => {
  it("passes Helm, ExternalSecret and Flux syntax through verbatim", () => {
    const src = [
      "name: {{ .Release.Name }}",
      'token: "{{ .API_TOKEN | toString }}"',
      "host: app.${SECRET_DOMAIN}",
      "capacity: ${VOLSYNC_CAPACITY:=5Gi}",
      "len: ${#VAR} $${ESCAPED}",
      "cluster: #{= it.cluster.name }#",
      "",
    ].join("\n");
    expect(render(src)).toBe(
      [
        "name: {{ .Release.Name }}",
        'token: "{{ .API_TOKEN | toString }}"',
        "host: app.${SECRET_DOMAIN}",
        "capacity: ${VOLSYNC_CAPACITY:=5Gi}",
        "len: ${#VAR} $${ESCAPED}",
        "cluster: home",
        "",
      ].join("\n"),
    );
  });

  it("does not HTML-escape", () => {
    expect(render("v: #{= \"<a & 'b'>\" }#\n")).toBe("v: <a & 'b'>\n");
  });

  it("drops control-only lines entirely (indentation and newline)", () => {
    const src = [
      "nodes:",
      "  #{ for (const n of it.nodes) { }#",
      "  - #{= n.name }#",
      "  #{ } }#",
      "#{ if (it.apps.grafana) { }#",
      "grafana: true",
      "#{ } }#",
      "end: true",
      "",
    ].join("\n");
    expect(render(src)).toBe("nodes:\n  - k8s-0\n  - k8s-1\nend: true\n");
  });

  it("accepts eta's own trim markers on control lines", () => {
    const src = "a:\n  #{- if (it.apps.romm) { -}#\n  b: 1\n  #{_ } _}#\nc: 2\n";
    expect(render(src)).toBe("a:\n  b: 1\nc: 2\n");
  });

  it("keeps the newline after an interpolation at the end of a line", () => {
    expect(render("a: #{= it.cluster.name }#\nb: 1\n")).toBe("a: home\nb: 1\n");
  });

  it("fails on an undefined key with file:line and the key path", () => {
    const src = "a: 1\nb: 2\nc: #{= it.apps.rommm }#\n";
    let caught: unknown;
    try {
      render(src, "kubernetes/apps/x.yaml.eta");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    const error = caught as TemplateError;
    expect(error.message).toContain("kubernetes/apps/x.yaml.eta:3");
    expect(error.message).toContain("it.apps.rommm");
    expect(error.keyPath).toBe("it.apps.rommm");
    expect(error.location).toEqual({ file: "kubernetes/apps/x.yaml.eta", line: 3 });
  });

  it("reports the key path through arrays and nested reads", () => {
    expect(() => render("x\n#{= it.nodes[1].mac }#\n")).toThrow(/t\.yaml\.eta:2: .*it\.nodes\[1\]\.mac/);
  });

  it("allows explicit optional access", () => {
    const src = [
      "#{= h.get(it, 'bgp.routerAsn', 'none') }#",
      "#{= h.has(it.apps, 'observability') }#",
      "#{= 'bgp' in it }#",
      "#{= h.default(h.get(it, 'cluster.vlan'), 1) }#",
      "",
    ].join("\n");
    expect(render(src)).toBe("none\nfalse\nfalse\n1\n");
  });

  it("refuses to print undefined or objects", () => {
    expect(() => render("#{= h.get(it, 'nope') }#")).toThrow(/t\.yaml\.eta:1: interpolated undefined/);
    expect(() => render("#{= it.cluster }#")).toThrow(/interpolated an object/);
  });

  it("renders helpers", () => {
    const src = [
      "dns: #{= h.nthHost(it.network.nodeCidr, 1) }#",
      "cfg:#{= h.nindent(2, h.toYaml({ nodes: it.nodes.map((n) => n.name) })) }#",
      "b64: #{= h.base64(it.cluster.name) }#",
      "q: #{= h.quote(it.cluster.domain) }#",
      "",
    ].join("\n");
    expect(render(src)).toBe(
      'dns: 10.10.0.1\ncfg:\n  nodes:\n    - k8s-0\n    - k8s-1\nb64: aG9tZQ==\nq: "${SECRET_DOMAIN}"\n',
    );
  });

  it("includes partials with their own file in errors", () => {
    const engine = new TemplateEngine();
    engine.definePartial("ks", "name: #{= it.app }#\nns: #{= it.nope }#\n", "templates/_ks.partial.eta");
    expect(() => engine.render("#{~ include('ks', { app: 'romm' }) }#", data, "main.eta")).toThrow(
      /templates\/_ks\.partial\.eta:2: template reads undefined key `it\.nope`/,
    );
    engine.definePartial("ok", "name: #{= it.app }#\ncluster: #{= it.cluster.name }#\n", "ok.partial.eta");
    expect(engine.render("#{~ include('ok', { app: 'romm' }) }#", data, "main.eta")).toBe(
      "name: romm\ncluster: home\n",
    );
  });

  it("renders each template's own text, when many share their code, as eta's literals would", () => {
    const engine = new TemplateEngine();
    // the same tags with different text (and line numbers): one compiled body, each its own text
    const texts = ["a: 'x'\\n \\\\ \\'", 'b: "y" \\t\n\nc: \u2028', "plain\r\nline\rend\n"];
    for (const text of texts) {
      const src = `${text}\nname: #{= it.cluster.name }#\n${text}#{= it.nope }#\n`;
      const lf = text.replace(/\r\n?/g, "\n");
      expect(engine.render(src.replace("#{= it.nope }#", ""), data, "t.eta")).toBe(
        `${lf}\nname: home\n${lf}\n`,
      );
      const line = src.split("\n").length - 1;
      expect(() => engine.render(src, data, "t.eta")).toThrow(`t.eta:${line}: template reads undefined key`);
    }
    // no tag at all: the text itself, line endings as eta renders them
    expect(engine.render("a\r\nb\rc\n\\n'", data, "t.eta")).toBe("a\nb\nc\n\\n'");
  });

  it("reports syntax errors with the file and line", () => {
    expect(() => render("#{ if (x { }#\n")).toThrow(/t\.yaml\.eta:1: template syntax/);
    expect(() => render("a\n#{= it.cluster.name \n")).toThrow(
      /t\.yaml\.eta:2: template syntax: unclosed tag/,
    );
    expect(() => render("a\nb\n#{= it.cluster.name }#\n#{ } catch { }#\n")).toThrow(
      /t\.yaml\.eta:4: template syntax/,
    );
  });
});

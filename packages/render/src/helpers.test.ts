import { nthHost as schemaNthHost } from "@homeops/schema";
import { describe, expect, it } from "vitest";
import { base64, defaultTo, get, has, indent, nindent, nthHost, quote, toYaml } from "./helpers.js";
import { strictView } from "./internal/strict.js";

describe("nthHost", () => {
  it("is @homeops/schema's nthHost, its errors reported as template errors", () => {
    for (const cidr of ["10.10.0.0/24", "10.43.0.0/16", "192.168.1.128/25", "172.16.0.0/12", "10.0.0.4/30"]) {
      for (const n of [1, 2, 10, 100]) {
        let expected: string | undefined;
        try {
          expected = schemaNthHost(cidr, n);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) expect(() => nthHost(cidr, n)).toThrow(/nthHost: .* has no host/);
        else expect(nthHost(cidr, n), `${cidr} #${n}`).toBe(expected);
      }
    }
    expect(() => nthHost("10.10.0.0/24", 0)).toThrow(expect.objectContaining({ code: "TEMPLATE_ERROR" }));
  });

  it("counts back from the end, handles IPv6 and rejects what is outside", () => {
    expect(nthHost("10.10.0.0/24", -1)).toBe("10.10.0.254");
    expect(nthHost("10.10.0.0/24", -254)).toBe("10.10.0.1");
    expect(nthHost("10.10.0.7/24", 1)).toBe("10.10.0.1");
    expect(nthHost("fd00:10::/64", 10)).toBe("fd00:10::a");
    expect(nthHost("fd00:10::/126", -1)).toBe("fd00:10::3");
    expect(() => nthHost("10.10.0.0/24", 0)).toThrow(/has no host #0/);
    expect(() => nthHost("10.10.0.0/24", 255)).toThrow(/has no host #255 \(it has 254 hosts\)/);
    expect(() => nthHost("10.10.0.0/24", -255)).toThrow(/has no host/);
    expect(() => nthHost("10.10.0.0/31", 1)).toThrow(/has no host/);
    expect(() => nthHost("nope", 1)).toThrow(/not a CIDR/);
  });
});

describe("text helpers", () => {
  it("indent/nindent like Helm, without trailing spaces on blank lines", () => {
    expect(indent(2, "a:\n  b: 1\n\nc: 2")).toBe("  a:\n    b: 1\n\n  c: 2");
    expect(nindent(4, "x")).toBe("\n    x");
  });

  it("toYaml uses the one stringifier and unwraps strict views", () => {
    const view = strictView({ b: [1, 2], a: { "x.y": "${VAR}" } });
    expect(toYaml(view)).toBe("b:\n  - 1\n  - 2\na:\n  x.y: ${VAR}");
  });

  it("base64, quote, default", () => {
    expect(base64("héllo")).toBe(Buffer.from("héllo").toString("base64"));
    expect(quote('a "b" ${C}')).toBe('"a \\"b\\" ${C}"');
    expect(defaultTo("", "x")).toBe("x");
    expect(defaultTo(null, 1)).toBe(1);
    expect(defaultTo(0, 1)).toBe(0);
    expect(defaultTo("v", "x")).toBe("v");
  });

  it("has/get are the explicit optional access", () => {
    const view = strictView({ bgp: { routerAsn: 64512 }, apps: {} });
    expect(has(view, "bgp.routerAsn")).toBe(true);
    expect(has(view, "bgp.nodeAsn")).toBe(false);
    expect(get(view, "bgp.routerAsn")).toBe(64512);
    expect(get(view, "apps.romm", false)).toBe(false);
    expect(() => (view as { apps: Record<string, unknown> }).apps.romm).toThrow(/`it\.apps\.romm`/);
  });
});

import { describe, expect, it } from "vitest";
import { EnvsubstError, evalEnvsubst, UnsetVariableError } from "./envsubst.js";

const vars: Record<string, string> = {
  NAME: "homeops",
  EMPTY: "",
  PATHV: "a/b/a/c",
  MIXED: "HeLLo",
  U: "héllo",
};
const strict = (n: string): [string, boolean] => (n in vars ? [vars[n]!, true] : ["", false]);
const lenient = (n: string): [string, boolean] => [vars[n] ?? "", true];

describe("evalEnvsubst (port of fluxcd/pkg/envsubst)", () => {
  it.each([
    ["${NAME}", "homeops"],
    ["$NAME stays", "$NAME stays"],
    ["$${NAME}", "${NAME}"],
    ["a$$b", "a$b"],
    ["${UNSET:=x}", "x"],
    ["${UNSET:-y}", "y"],
    ["${EMPTY:=e}", "e"],
    ["${UNSET=z}", "z"],
    ["${UNSET:=${NAME}-x}", "homeops-x"],
    ["${#NAME}", "7"],
    ["${#U}", "6"],
    ["${NAME^^}", "HOMEOPS"],
    ["${NAME^}", "Homeops"],
    ["${MIXED,,}", "hello"],
    ["${MIXED,}", "heLLo"],
    ["${NAME:1}", "omeops"],
    ["${NAME:1:2}", "om"],
    ["${NAME:-3}", "homeops"],
    ["${UNSET:-3}", "3"],
    ["${PATHV#*/}", "b/a/c"],
    ["${PATHV##*/}", "c"],
    ["${PATHV%/*}", "a/b/a"],
    ["${PATHV%%/*}", "a"],
    ["${PATHV/a/X}", "X/b/a/c"],
    ["${PATHV//a/X}", "X/b/X/c"],
    ["${PATHV/#a/Z}", "Z/b/a/c"],
    ["${PATHV/%c/Z}", "a/b/a/Z"],
    ["{{ .TEMPLATE }} and ${NAME}", "{{ .TEMPLATE }} and homeops"],
  ])("%s → %s", (input, expected) => {
    expect(evalEnvsubst(input, strict)).toBe(expected);
  });

  it("fails strict mode on an unset variable without default, and substitutes empty when lenient", () => {
    expect(() => evalEnvsubst("x ${MISSING} y", strict)).toThrow(UnsetVariableError);
    expect(evalEnvsubst("x ${MISSING} y", lenient)).toBe("x  y");
  });

  it.each(["${foo.bar}", "${NAME", "${}", "${NAME-x}"])("rejects bad syntax %s", (input) => {
    expect(() => evalEnvsubst(input, strict)).toThrow(EnvsubstError);
  });
});

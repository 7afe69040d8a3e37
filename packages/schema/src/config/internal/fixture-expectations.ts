/**
 * Test support: `# expect: config/<rule>` on a line of a fixture means the validator must report that
 * rule at that line. Shared by the conformance and JSON Schema tests.
 */
export function fixtureExpectations(text: string): { ruleId: string; line: number }[] {
  return text
    .split("\n")
    .flatMap((line, i) =>
      [...line.matchAll(/# expect: (config\/[a-z0-9-]+)/g)].map((m) => ({ ruleId: m[1]!, line: i + 1 })),
    );
}

import { defineProject } from "vitest/config";

/** Source-first: tests resolve workspace packages to their `src/`, never to a build. */
export const sourceConditions = ["@homeops/source", "module", "node", "import", "default"];

export function defineHomeopsProject(name: string, testTimeout = 20_000) {
  return defineProject({
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions } },
    test: {
      name,
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      environment: "node",
      testTimeout,
    },
  });
}

import { defineHomeopsProject } from "../vitest.shared.ts";

// e2e tests spawn built binaries and the real `task`: give them time on a 2-core machine
export default defineHomeopsProject("@homeops/e2e", 60_000);

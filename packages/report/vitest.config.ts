import { defineHomeopsProject } from "../../vitest.shared.ts";

export default defineHomeopsProject("@homeops/report", 60_000);

import { defineHomeopsProject } from "../../vitest.shared.ts";

export default defineHomeopsProject("@homeops/repo");

import { join } from "node:path";
import type { RenderRequest } from "../../src/engine.js";
import { CHARTS } from "./oracle.js";
import { packChart } from "./tgz.js";

export interface OracleCase {
  name: string;
  request: RenderRequest;
  /** The render is expected to fail in this stage (checked on both sides). */
  fails?: string;
}

const dir = (name: string) => ({ dir: join(CHARTS, name) });
const release = (name: string, namespace = "default") => ({ name, namespace });
const app = (image = "ghcr.io/example/app") => ({
  main: { containers: { app: { image: { repository: image, tag: "1.2.3" } } } },
});

/** Chart × values cases rendered by both the WASM module (through the host) and the native oracle. */
export function oracleCases(): OracleCase[] {
  return [
    {
      name: "app-template minimal",
      request: { chart: dir("app-template"), release: release("echo"), values: { controllers: app() } },
    },
    {
      name: "app-template full app (persistence, env, service, route via apiVersions)",
      request: {
        chart: dir("app-template"),
        release: release("paperless", "selfhosted"),
        apiVersions: ["gateway.networking.k8s.io/v1/HTTPRoute"],
        values: {
          controllers: {
            main: {
              annotations: { "reloader.stakater.com/auto": "true", note: "{{ .Release.Namespace }}" },
              containers: {
                app: {
                  image: { repository: "ghcr.io/paperless-ngx/paperless-ngx", tag: 2.15 },
                  args: ["--namespace={{ .Release.Namespace }}"],
                  env: {
                    TZ: "Europe/Paris",
                    PAPERLESS_URL: "https://{{ .Release.Name }}.example.org",
                    PAPERLESS_SECRET_KEY: { secretKeyRef: { name: "paperless-secret", key: "SECRET_KEY" } },
                  },
                },
              },
            },
            worker: {
              type: "statefulset",
              replicas: 2,
              containers: { w: { image: { repository: "redis", tag: "7" } } },
            },
            off: { enabled: false, containers: { x: { image: { repository: "x", tag: "1" } } } },
          },
          service: { main: { controller: "main", ports: { http: { port: 8000 } } } },
          persistence: {
            data: { existingClaim: "paperless-data" },
            media: { size: "10Gi", storageClass: "ceph-block", globalMounts: [{ path: "/media" }] },
            tmp: { type: "emptyDir" },
            secrets: { type: "secret", name: "{{ .Release.Name }}-files" },
          },
          route: {
            main: {
              hostnames: ["{{ .Release.Name }}.example.org"],
              parentRefs: [{ name: "internal", namespace: "kube-system" }],
              port: 8000,
            },
          },
        },
      },
    },
    {
      name: "app-template route skipped without the HTTPRoute API",
      request: {
        chart: dir("app-template"),
        release: release("r"),
        values: { controllers: app(), route: { main: { hostnames: ["a"], parentRefs: [] } } },
      },
    },
    {
      name: "app-template nameOverride via global",
      request: {
        chart: dir("app-template"),
        release: release("r"),
        values: {
          global: { fullnameOverride: "custom" },
          controllers: app(),
          service: { main: { ports: { http: { port: 80 } } } },
        },
      },
    },
    {
      name: "app-template cronjob and daemonset types",
      request: {
        chart: dir("app-template"),
        release: release("jobs"),
        values: {
          controllers: {
            main: { type: "cronjob", containers: { c: { image: { repository: "x", tag: "1" } } } },
            agent: { type: "daemonset", containers: { a: { image: { repository: "y", tag: "2" } } } },
          },
        },
      },
    },
    {
      name: "app-template schema: wrong type",
      fails: "schema",
      request: {
        chart: dir("app-template"),
        release: release("r"),
        values: {
          controllers: {
            main: { replicas: "two", containers: { a: { image: { repository: "x", tag: "1" } } } },
          },
        },
      },
    },
    {
      name: "app-template schema: unknown top-level key",
      fails: "schema",
      request: { chart: dir("app-template"), release: release("r"), values: { controlers: app() } },
    },
    {
      name: "app-template schema: missing required image",
      fails: "schema",
      request: {
        chart: dir("app-template"),
        release: release("r"),
        values: { controllers: { main: { containers: { a: {} } } } },
      },
    },
    {
      name: "app-template schema skipped (disableSchemaValidation)",
      request: {
        chart: dir("app-template"),
        release: release("r"),
        skipSchemaValidation: true,
        values: {
          extra: true,
          controllers: { main: { replicas: 3, containers: { a: { image: { repository: "x", tag: "1" } } } } },
        },
      },
    },
    {
      name: "app-template kubeVersion too old",
      fails: "kubeVersion",
      request: {
        chart: dir("app-template"),
        release: release("r"),
        kubeVersion: "v1.27.3",
        values: { controllers: app() },
      },
    },
    {
      name: "app-template from archive bytes",
      request: {
        chart: { archive: packChart(join(CHARTS, "app-template"), "app-template") },
        release: release("tgz"),
        values: { controllers: app("from/archive") },
      },
    },
    {
      name: "app-template valuesFrom (ConfigMap text, targetPath) merged in Flux order",
      request: {
        chart: dir("app-template"),
        release: release("r"),
        valuesFrom: [
          {
            name: "ConfigMap 'default/base'",
            data: "controllers:\n  main:\n    replicas: 2\n    containers:\n      app:\n        image: {repository: base, tag: '0.1'}\n",
          },
          {
            name: "Secret 'default/tag'",
            data: "9.9.9",
            targetPath: "controllers.main.containers.app.image.tag",
          },
        ],
        values: { controllers: { main: { containers: { app: { image: { repository: "inline" } } } } } },
      },
    },
    {
      name: "with-crds default (CRDs listed, not in manifest)",
      request: { chart: dir("with-crds"), release: release("w", "widgets") },
    },
    {
      name: "with-crds includeCrds",
      request: { chart: dir("with-crds"), release: release("w", "widgets"), includeCrds: true },
    },
    {
      name: "with-crds ServiceMonitor with the monitoring API and an older kube",
      request: {
        chart: dir("with-crds"),
        release: release("w", "widgets"),
        includeCrds: true,
        kubeVersion: "1.31.4",
        apiVersions: ["monitoring.coreos.com/v1"],
        values: {
          widgets: [
            { name: "a", size: 1 },
            { name: "b", size: 2 },
          ],
        },
      },
    },
    {
      name: "with-crds from archive",
      request: {
        chart: { archive: packChart(join(CHARTS, "with-crds"), "with-crds") },
        release: release("w"),
        includeCrds: true,
      },
    },
    {
      name: "strict: valid",
      request: {
        chart: dir("strict"),
        release: release("s"),
        values: { hostname: "app", image: { tag: "v1" } },
      },
    },
    {
      name: "strict: missing required hostname",
      fails: "schema",
      request: { chart: dir("strict"), release: release("s") },
    },
    {
      name: "strict: several violations",
      fails: "schema",
      request: {
        chart: dir("strict"),
        release: release("s"),
        values: { replicas: 0, hostname: 5, image: { repository: "x", digest: "sha256:0" } },
      },
    },
    {
      name: "umbrella defaults (subcharts, alias, import-values, globals, hooks, files)",
      request: { chart: dir("umbrella"), release: release("u", "data") },
    },
    {
      name: "umbrella db disabled by condition, tag off",
      request: {
        chart: dir("umbrella"),
        release: release("u", "data"),
        values: { db: { enabled: false }, tags: { backend: false } },
      },
    },
    {
      name: "umbrella subchart schema rejects",
      fails: "schema",
      request: { chart: dir("umbrella"), release: release("u"), values: { db: { storage: "lots" } } },
    },
    {
      name: "umbrella subNotes, no tests, upgrade",
      request: {
        chart: dir("umbrella"),
        release: { name: "u", namespace: "data", revision: 4, isUpgrade: true },
        subNotes: true,
        skipTests: true,
      },
    },
    {
      name: "umbrella no hooks, global override",
      request: {
        chart: dir("umbrella"),
        release: release("u"),
        disableHooks: true,
        values: { global: { domain: "home.arpa" }, redis: { port: 1 } },
      },
    },
    {
      name: "functions: tpl, lookup (empty), required, capabilities",
      request: { chart: dir("functions"), release: release("fn", "tools"), kubeVersion: "v1.33.2" },
    },
    {
      name: "functions: required fails",
      fails: "render",
      request: { chart: dir("functions"), release: release("fn"), values: { mustHave: null } },
    },
    {
      name: "functions: tpl of a values string with a bad template",
      fails: "render",
      request: {
        chart: dir("functions"),
        release: release("fn"),
        values: { greeting: "{{ .Nope.Missing }" },
      },
    },
    {
      name: "tpl: texts with and without actions (plain texts skip the template clone)",
      request: { chart: dir("tpl-texts"), release: release("tt", "ns") },
    },
    {
      name: "tpl: a blank text (Helm's empty-template rule)",
      request: { chart: dir("tpl-texts"), release: release("tt"), values: { texts: { blank: "  " } } },
    },
    {
      name: "tpl: an empty text",
      request: { chart: dir("tpl-texts"), release: release("tt"), values: { texts: { empty: "" } } },
    },
    {
      name: "functions: optional branch",
      request: {
        chart: dir("functions"),
        release: release("fn"),
        values: { existingSecret: "s3cr3t", items: ["z", "y"] },
      },
    },
    {
      name: "library chart is not installable",
      fails: "load",
      request: { chart: dir("library-only"), release: release("l") },
    },
    {
      name: "missing dependency",
      fails: "dependencies",
      request: { chart: dir("missing-dep"), release: release("m") },
    },
    {
      name: "valuesFiles replace chart values",
      request: {
        chart: dir("umbrella"),
        release: release("u"),
        valuesFiles: ["values.yaml", "files/none.yaml"],
        ignoreMissingValuesFiles: true,
        values: { fromDb: { x: 1 } },
      },
    },
  ];
}

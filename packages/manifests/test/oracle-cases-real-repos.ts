// Differential cases for the patterns the development corpus (public home-ops repositories) showed us,
// each reduced to a few lines of our own; built by @homeops/manifests and by tools/flux-build.
import type { OracleCase } from "./oracle-cases.js";

const ks = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
const base = { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } };

export const REAL_REPO_CASES: OracleCase[] = [
  {
    // `<<: *anchor` in a ConfigMap and in HelmRelease values (yaml.v3 expands merge keys)
    name: "yaml-merge-keys",
    files: {
      "app/kustomization.yaml": `${ks}resources: [cm.yaml, hr.yaml]\n`,
      "app/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: merged
  annotations: &common
    x: "1"
    z: "0"
data:
  w: before
  <<: *common
  y: "2"
  z: override
`,
      "app/hr.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app
spec:
  interval: 1h
  chart:
    spec:
      chart: app-template
      sourceRef: {kind: HelmRepository, name: bjw-s}
  values:
    defaultPodOptions: &pod
      securityContext:
        runAsUser: 1000
    controllers:
      main:
        pod:
          <<: [*pod, {hostNetwork: true}]
          priorityClassName: high
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    // an alias used as a mapping key (`*app: value`): libyaml ends the alias name at `:`
    name: "yaml-alias-as-key",
    files: {
      "app/kustomization.yaml": `${ks}resources: [cm.yaml]\n`,
      "app/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: &app jellyfin
  labels:
    app.kubernetes.io/name: *app
data:
  *app: value
  other: [*app, *app]
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    // folded scalars with more-indented lines (CEL expressions, PrometheusRule exprs)
    name: "yaml-folded-more-indented",
    files: {
      "app/kustomization.yaml": `${ks}resources: [cm.yaml]\n`,
      "app/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: folded
data:
  cel: >-
    object.spec.template.spec.containers.exists(c,
      c.image.startsWith("docker.io/grafana/")
    )
  c2: >-
    p

      m
  c3: >-
    p
      m
      n
    q
  c4: >-
    p
      m

    q
  c5: >2-
      m
    p
  c6: >
    a
    b

    c
      d
    e
  c7: >
    plain folded
    lines only
  literal: |
    a
      b
    c
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    // yaml.v3 refuses a repeated key
    name: "yaml-duplicate-key-fails",
    files: {
      "app/kustomization.yaml": `${ks}resources: [cm.yaml]\n`,
      "app/cm.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\ndata:\n  a: "1"\n  a: "2"\n`,
    },
    spec: { ...base, path: "./app" },
    expectError: true,
  },
  {
    // trailing slashes in resources and components paths
    name: "trailing-slash-paths",
    files: {
      "apps/ai/kustomization.yaml": `${ks}resources:\n  - ./models/\n  - ./app/\ncomponents:\n  - ../../components/volsync/\n`,
      "apps/ai/models/kustomization.yaml": `${ks}resources: [./cm.yaml]\n`,
      "apps/ai/models/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: models\n",
      "apps/ai/app/kustomization.yaml": `${ks}resources: [./cm.yaml]\n`,
      "apps/ai/app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
      "components/volsync/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels:\n  volsync: enabled\n",
    },
    spec: { ...base, path: "./apps/ai/" },
  },
  {
    // a `replacements:` entry whose `path:` file holds a list of replacements
    name: "replacements-path-list",
    files: {
      "app/kustomization.yaml": `${ks}resources: [cm.yaml]\nreplacements:\n  - path: replacements.yaml\n`,
      "app/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: source
data:
  host: example.com
  port: "8080"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: target
data:
  url: placeholder
  port: placeholder
`,
      "app/replacements.yaml": `- source:
    kind: ConfigMap
    name: source
    fieldPath: data.host
  targets:
    - select: {kind: ConfigMap, name: target}
      fieldPaths: [data.url]
- source:
    kind: ConfigMap
    name: source
    fieldPath: data.port
  targets:
    - select: {kind: ConfigMap, name: target}
      fieldPaths: [data.port]
`,
    },
    spec: { ...base, path: "./app" },
  },

  {
    // a strategic merge patch drops the target's fields written without a value (`annotations:`),
    // not `key: null`, `key: ~` or list items; a JSON patch keeps them
    name: "smp-drops-empty-values",
    files: {
      "app/kustomization.yaml": `${ks}resources: [hr.yaml, cm.yaml]
patches:
  - patch: |
      apiVersion: helm.toolkit.fluxcd.io/v2
      kind: HelmRelease
      metadata:
        name: app
      spec:
        install:
          remediation:
            retries: 3
  - patch: |
      - op: add
        path: /data/p
        value: "2"
    target: {kind: ConfigMap}
`,
      "app/hr.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app
  annotations:
spec:
  interval: 1h
  values:
    defaultPodOptions:
      annotations:
      word: null
      tilde: ~
      flow: {a: , b: 1}
    driver:
      config:
        instance_id:
    list:
      - k:
        j: null
`,
      "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a:\n",
    },
    spec: { ...base, path: "./app" },
  },
];

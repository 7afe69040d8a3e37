// Differential cases for the patterns the development corpus (public home-ops repositories) showed us,
// each reduced to a few lines of our own; built by @homeops/manifests and by tools/flux-build.
import type { OracleCase } from "./oracle-cases.js";

const ks = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
const base = { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } };

export const REAL_REPO_CASES: OracleCase[] = [
  {
    // the namespace transformer knows scope by apiVersion and kind, from kustomize's own table: Flux's
    // kustomize (kyaml v0.21.1) gives v1 admission policies the namespace, the kustomize CLI v5.8 does not;
    // FlowSchema is cluster-scoped only as v1beta1, a TokenReview is namespaced for kustomize
    name: "cluster-scope-by-api-version",
    files: {
      "app/kustomization.yaml": `${ks}namespace: networking\nresources: [policies.yaml]\n`,
      "app/policies.yaml": [
        "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy",
        "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding",
        "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
        "admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicy",
        "flowcontrol.apiserver.k8s.io/v1 FlowSchema",
        "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema",
        "authentication.k8s.io/v1 TokenReview",
        "rbac.authorization.k8s.io/v1 ClusterRole",
        "storage.k8s.io/v1 VolumeAttributesClass",
      ]
        .map((t) => {
          const [apiVersion, kind] = t.split(" ");
          return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${kind!.toLowerCase()}-${apiVersion!.split("/").pop()}\n`;
        })
        .join("---\n"),
    },
    spec: { ...base, path: "./app", targetNamespace: "networking" },
  },
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
  {
    // the namespace transformer moves the ServiceAccount; kustomize's name reference then moves the
    // (Cluster)RoleBinding subjects and pod specs naming it (bo0tzz: eso-kubernetes-local, cosi driver)
    name: "namespace-moves-serviceaccount-subjects",
    files: {
      "app/kustomization.yaml": `${ks}resources: [cosi, auth]\n`,
      "app/cosi/kustomization.yaml": `${ks}namespace: cosi\nresources: [../rbac.yaml]\ncomponents: [../../eso]\n`,
      // the same component under a second namespace: a RoleBinding only sees accounts of its namespace
      "app/auth/kustomization.yaml": `${ks}namespace: auth\ncomponents: [../../eso]\n`,
      "app/rbac.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: driver
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: pinned
  namespace: cosi
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: driver
subjects:
  - kind: ServiceAccount
    name: driver
  - kind: ServiceAccount
    name: pinned
  - kind: ServiceAccount
    name: elsewhere
    namespace: kube-system
  - kind: User
    name: someone
roleRef: {kind: ClusterRole, name: driver, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: driver
spec:
  selector: {matchLabels: {app: driver}}
  template:
    metadata: {labels: {app: driver}}
    spec:
      serviceAccountName: driver
      containers: [{name: c, image: busybox}]
`,
      "eso/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [sa.yaml]\n",
      "eso/sa.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: eso-local
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: eso-local
subjects:
  - kind: ServiceAccount
    name: eso-local
roleRef: {kind: Role, name: eso-local, apiGroup: rbac.authorization.k8s.io}
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    // `transformers: [./transformers]`: a directory whose kustomization sets the namespace of a built-in
    // NamespaceTransformer config with its own fieldSpecs (d4rkfella: Flux Kustomizations' targetNamespace)
    name: "builtin-namespace-transformer",
    files: {
      "apps/db/kustomization.yaml": `${ks}resources: [namespace.yaml, ks.yaml, rbac.yaml]\ntransformers: [./transformers]\n`,
      "apps/db/transformers/kustomization.yaml": `${ks}namespace: database\nresources: [../../../shared/transformer.yaml]\n`,
      "shared/kustomization.yaml": `${ks}resources: [transformer.yaml]\n`,
      "shared/transformer.yaml": `apiVersion: builtin
kind: NamespaceTransformer
metadata:
  name: apply-ns
  namespace: .invalid
unsetOnly: false
fieldSpecs:
  - {path: metadata/name, kind: Namespace, create: true}
  - {path: spec/targetNamespace, group: kustomize.toolkit.fluxcd.io, kind: Kustomization, create: true}
`,
      "apps/db/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: placeholder\n",
      "apps/db/ks.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: cnpg
spec:
  interval: 1h
  path: ./apps/db/cnpg
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
`,
      "apps/db/rbac.yaml": `apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: r
  namespace: other
subjects:
  - {kind: ServiceAccount, name: default}
  - {kind: ServiceAccount, name: x, namespace: y}
roleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}
`,
    },
    spec: { ...base, path: "./apps/db" },
  },
  {
    // kustomization field names match without regard to case (Go's encoding/json; bo0tzz:
    // `configMapgenerator`)
    name: "kustomization-field-case",
    files: {
      "app/kustomization.yaml": `${ks}resources: [cm.yaml]\nconfigMapgenerator:\n  - name: values\n    literals: [a=1]\nCommonLabels:\n  team: x\n`,
      "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n",
    },
    spec: { ...base, path: "./app" },
  },
  {
    // an empty value in a flow mapping is "" as kyaml reads it, a block mapping's empty value null
    // (d4rkfella openbao: `server: ,` in a flow-style HelmRelease)
    name: "yaml-flow-empty-value",
    files: {
      "app/kustomization.yaml": `${ks}resources: [cm.yaml]\n`,
      "app/cm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a:\n  c: {d: , e}\n  f: [{g: }]\n",
    },
    spec: { ...base, path: "./app" },
  },
];

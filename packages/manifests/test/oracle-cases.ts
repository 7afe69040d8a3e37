// Generated differential cases: each is a tiny repository plus one Flux Kustomization, built by
// @homeops/manifests and by the flux-build oracle (github.com/fluxcd/pkg/kustomize); results must agree.

export interface OracleCase {
  name: string;
  files: Record<string, string>;
  /** `spec` of the Flux Kustomization (metadata is `flux-system/case`). */
  spec: Record<string, unknown>;
  /** Multi-document YAML of ConfigMaps/Secrets that exist in the cluster (and, for us, in the repo). */
  varsObjects?: string;
  strict?: boolean;
  /** Both implementations must refuse the build. */
  expectError?: boolean;
}

const deploy = (name: string, extra = ""): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: main
          image: ghcr.io/example/${name}:1.0.0
          env:
            - name: A
              value: "a"
          ports:
            - containerPort: 8080
              name: http
          volumeMounts:
            - name: config
              mountPath: /config
      volumes:
        - name: config
          configMap:
            name: ${name}-config
${extra}`;

const service = (name: string): string => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: ${name}
  ports:
    - name: http
      port: 80
      targetPort: 8080
`;

const cm = (name: string, data: Record<string, string>, ns?: string): string =>
  `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
${ns ? `  namespace: ${ns}\n` : ""}data:
${Object.entries(data)
  .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
  .join("\n")}
`;

const kustomization = (body: string): string => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
${body}`;

const base = { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } };

export const ORACLE_CASES: OracleCase[] = [
  {
    name: "plain-files",
    files: {
      "app/kustomization.yaml": kustomization("resources:\n  - deploy.yaml\n  - service.yaml\n"),
      "app/deploy.yaml": deploy("web"),
      "app/service.yaml": service("web"),
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "generated-kustomization-recursive",
    files: {
      "app/deploy.yaml": deploy("web"),
      "app/sub/service.yaml": service("web"),
      "app/sub/deeper/cm.yaml": cm("web-config", { a: "1" }),
      "app/base/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/base/cm.yaml": cm("other", { b: "2" }),
      "app/notes.txt": "not yaml",
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "target-namespace-overrides-namespace",
    files: {
      "app/kustomization.yaml": kustomization("namespace: one\nresources: [deploy.yaml, service.yaml]\n"),
      "app/deploy.yaml": deploy("web"),
      "app/service.yaml": service("web"),
    },
    spec: { ...base, path: "./app", targetNamespace: "two" },
  },
  {
    name: "namespace-and-cluster-scoped",
    files: {
      "app/kustomization.yaml": kustomization("namespace: media\nresources: [ns.yaml, rbac.yaml]\n"),
      "app/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: _\n",
      "app/rbac.yaml": `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: crb
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - kind: ServiceAccount
    name: default
    namespace: other
  - kind: ServiceAccount
    name: app
    namespace: other
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cr
rules: []
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "components-nested",
    files: {
      "app/kustomization.yaml": kustomization(
        "resources: [deploy.yaml]\ncomponents: [../components/common]\n",
      ),
      "app/deploy.yaml": deploy("web"),
      "components/common/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [sa.yaml]
components: [../labels]
patches:
  - target: {kind: Deployment}
    patch: |
      - op: add
        path: /spec/template/spec/serviceAccountName
        value: app
`,
      "components/common/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n",
      "components/labels/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
labels:
  - pairs: {team: infra}
    includeSelectors: false
    includeTemplates: true
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "origin-annotations-without-resources",
    files: {
      "app/kustomization.yaml": kustomization(`components: [../components/extra]
configMapGenerator:
  - name: settings
    literals: [a=1]
secretGenerator:
  - name: s
    literals: [b=2]
`),
      "components/extra/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [cm.yaml]
configMapGenerator:
  - name: from-component
    literals: [c=3]
`,
      "components/extra/cm.yaml": cm("extra", { k: "v" }),
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "flux-components",
    files: {
      "app/kustomization.yaml": kustomization("resources: [deploy.yaml]\n"),
      "app/deploy.yaml": deploy("web"),
      "components/extra/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [cm.yaml]
commonAnnotations: {extra: "yes"}
`,
      "components/extra/cm.yaml": cm("extra", { k: "v" }),
    },
    spec: { ...base, path: "./app", components: ["../components/extra"] },
  },
  {
    name: "configmap-generator-hash",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [deploy.yaml]
configMapGenerator:
  - name: web-config
    files: [config.yaml, renamed.txt=other.txt]
    literals: [LOG_LEVEL=debug, "QUOTED='single'", 'HTML=<b>&amp;</b>']
    envs: [vars.env]
`),
      "app/deploy.yaml": deploy("web"),
      "app/config.yaml": "a: 1\nb: [x, y]\n",
      "app/other.txt": "hello\nworld\n",
      "app/vars.env": "# comment\nFOO=bar\n  SPACED=value with spaces\nEMPTY=\nNOEQ\n",
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "configmap-generator-options",
    files: {
      "app/kustomization.yaml": kustomization(`generatorOptions:
  disableNameSuffixHash: true
  labels: {generated: "true"}
configMapGenerator:
  - name: a
    literals: [x=1]
    options:
      annotations: {note: hi}
      immutable: true
  - name: b
    literals: [y=2]
    options:
      disableNameSuffixHash: false
      labels: {generated: "local"}
`),
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "secret-generator",
    files: {
      "app/kustomization.yaml": kustomization(`namespace: sec
secretGenerator:
  - name: creds
    literals: [username=admin, password=s3cr3t]
  - name: tls
    type: kubernetes.io/tls
    files: [tls.crt, tls.key]
    options:
      disableNameSuffixHash: true
resources: [deploy.yaml]
`),
      "app/tls.crt": "CERT\n",
      "app/tls.key": "KEY\n",
      "app/deploy.yaml": deploy(
        "web",
        `        - name: creds
          secret:
            secretName: creds
`,
      ),
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "generator-merge-behavior",
    files: {
      "base/kustomization.yaml": kustomization(
        "configMapGenerator:\n  - name: settings\n    literals: [a=1, b=2]\n",
      ),
      "app/kustomization.yaml": kustomization(`resources: [../base]
configMapGenerator:
  - name: settings
    behavior: merge
    literals: [b=3, c=4]
`),
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "smp-patch-file-no-target",
    files: {
      "app/kustomization.yaml": kustomization("resources: [deploy.yaml]\npatches:\n  - path: patch.yaml\n"),
      "app/deploy.yaml": deploy("web"),
      "app/patch.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: main
          env:
            - name: B
              value: b
            - name: A
              value: changed
        - name: sidecar
          image: busybox:1
      volumes:
        - name: extra
          emptyDir: {}
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "smp-inline-with-target-and-delete",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [a.yaml, b.yaml]
patches:
  - target:
      kind: Deployment
      labelSelector: app=a
    patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: ignored
        labels:
          patched: "true"
      spec:
        template:
          spec:
            containers:
              - name: main
                $patch: delete
            volumes:
              - name: config
                $patch: delete
  - target:
      kind: Deployment
      name: "b|c"
    patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: x
      spec:
        selector: null
        template:
          metadata:
            annotations:
              a: b
`),
      "app/a.yaml": deploy("a"),
      "app/b.yaml": deploy("b"),
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "smp-custom-resource-lists-replaced",
    files: {
      "app/kustomization.yaml": kustomization("resources: [hr.yaml]\npatches:\n  - path: patch.yaml\n"),
      "app/hr.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app
spec:
  interval: 1h
  chartRef: {kind: OCIRepository, name: app}
  values:
    env:
      - name: A
        value: a
    nested: {keep: 1, change: 2}
`,
      "app/patch.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app
spec:
  values:
    env:
      - name: B
        value: b
    nested: {change: 3, drop: null}
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "json6902-inline-and-file",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [deploy.yaml, service.yaml]
patches:
  - target: {kind: Service, name: web}
    patch: |-
      - op: replace
        path: /spec/ports/0/port
        value: 8081
      - op: add
        path: /metadata/annotations
        value: {lb: "yes"}
  - target: {group: apps, version: v1, kind: Deployment}
    path: ops.yaml
patchesJson6902:
  - target: {version: v1, kind: Service, name: web}
    patch: '[{"op": "remove", "path": "/spec/selector"}]'
`),
      "app/deploy.yaml": deploy("web"),
      "app/service.yaml": service("web"),
      "app/ops.yaml": `- op: add
  path: /spec/template/spec/containers/0/args
  value: ["--verbose"]
- op: remove
  path: /spec/template/spec/volumes
- op: replace
  path: /spec/template/spec/containers/0/volumeMounts
  value: []
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "patches-strategic-merge-legacy",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [deploy.yaml]
patchesStrategicMerge:
  - patch.yaml
  - |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      template:
        spec:
          containers:
            - name: main
              ports:
                - containerPort: 9090
                  name: metrics
`),
      "app/deploy.yaml": deploy("web"),
      "app/patch.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n",
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "labels-common-labels-annotations",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [deploy.yaml, service.yaml, cron.yaml]
commonLabels:
  tier: backend
labels:
  - pairs: {owner: me}
commonAnnotations:
  note: hello
`),
      "app/deploy.yaml": deploy("web"),
      "app/service.yaml": service("web"),
      "app/cron.yaml": `apiVersion: batch/v1
kind: CronJob
metadata:
  name: job
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: c
              image: busybox
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "images-kustomize-and-flux",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [a.yaml, b.yaml]
images:
  - name: ghcr.io/example/a
    newTag: "2.0.0"
  - name: ghcr.io/example/b
    newName: registry.local/b
`),
      "app/a.yaml": deploy("a"),
      "app/b.yaml": deploy("b"),
    },
    spec: {
      ...base,
      path: "./app",
      images: [
        { name: "ghcr.io/example/b", newTag: "3.0.0" },
        {
          name: "ghcr.io/example/a",
          digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        },
      ],
    },
  },
  {
    name: "name-prefix-suffix-references",
    files: {
      "app/kustomization.yaml": kustomization(`namePrefix: pre-
nameSuffix: -suf
resources: [deploy.yaml, cm.yaml]
`),
      "app/deploy.yaml": deploy("web"),
      "app/cm.yaml": cm("web-config", { a: "b" }),
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "hashed-configmap-references",
    files: {
      "app/kustomization.yaml": kustomization(`namespace: apps
resources: [deploy.yaml]
configMapGenerator:
  - name: web-config
    literals: [a=b]
`),
      "app/deploy.yaml": deploy(
        "web",
        `      initContainers:
        - name: init
          image: busybox
          envFrom:
            - configMapRef:
                name: web-config
`,
      ),
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "replacements",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [deploy.yaml, cm.yaml]
replacements:
  - source:
      kind: ConfigMap
      name: settings
      fieldPath: data.IMAGE_TAG
    targets:
      - select: {kind: Deployment}
        fieldPaths:
          - spec.template.spec.containers.[name=main].image
        options:
          delimiter: ":"
          index: 1
  - source:
      kind: ConfigMap
      name: settings
      fieldPath: data.REPLICAS
    targets:
      - select: {kind: Deployment, name: web}
        fieldPaths: [metadata.annotations.replicas]
        options: {create: true}
`),
      "app/deploy.yaml": deploy("web"),
      "app/cm.yaml": cm("settings", { IMAGE_TAG: "9.9.9", REPLICAS: "4" }),
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "flux-patches-on-child-kustomizations",
    files: {
      "apps/kustomization.yaml": kustomization("resources: [a/ks.yaml, b/ks.yaml]\n"),
      "apps/a/ks.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: a
  namespace: flux-system
spec:
  interval: 1h
  path: ./apps/a/app
  sourceRef: {kind: GitRepository, name: flux-system}
`,
      "apps/b/ks.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: b
  namespace: flux-system
spec:
  interval: 1h
  path: ./apps/b/app
  sourceRef: {kind: GitRepository, name: flux-system}
  postBuild:
    substitute: {APP: b}
`,
    },
    spec: {
      ...base,
      path: "./apps",
      patches: [
        {
          target: { group: "kustomize.toolkit.fluxcd.io", kind: "Kustomization" },
          patch: `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: all
spec:
  decryption:
    provider: sops
    secretRef: {name: sops-age}
  postBuild:
    substituteFrom:
      - kind: ConfigMap
        name: cluster-settings
`,
        },
        {
          target: { kind: "Kustomization", name: "a" },
          patch: '[{"op": "add", "path": "/spec/wait", "value": true}]',
        },
      ],
    },
  },
  {
    name: "subst-basic-and-retyping",
    files: {
      "app/kustomization.yaml": kustomization("resources: [deploy.yaml]\n"),
      "app/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: \${APP}
  annotations:
    quoted: "\${PORT}"
    bool: \${ENABLED}
    mixed: "port-\${PORT}"
    colon: "a: \${APP}"
    block: |
      line one \${APP}
      line two
    bare: $APP stays
    escaped: $\${APP}
    empty: \${EMPTY}
spec:
  replicas: \${REPLICAS}
  template:
    spec:
      containers:
        - name: main
          image: "img:\${TAG}"
`,
    },
    spec: {
      ...base,
      path: "./app",
      postBuild: {
        substitute: { APP: "web", PORT: "8080", ENABLED: "yes", REPLICAS: "3", TAG: "1.2", EMPTY: "" },
      },
    },
  },
  {
    name: "subst-operators",
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: ops
data:
  default1: "\${UNSET:=fallback}"
  default2: "\${UNSET:-other}"
  default3: "\${EMPTY:=was-empty}"
  default4: "\${UNSET=eq}"
  nested: "\${UNSET:=\${NAME}-x}"
  len: "\${#NAME}"
  upper: "\${NAME^^}"
  upperFirst: "\${NAME^}"
  lower: "\${MIXED,,}"
  lowerFirst: "\${MIXED,}"
  sub1: "\${NAME:1}"
  sub2: "\${NAME:1:2}"
  sub3: "\${NAME:-3}"
  trimPrefix: "\${PATHV#*/}"
  trimPrefixLong: "\${PATHV##*/}"
  trimSuffix: "\${PATHV%/*}"
  trimSuffixLong: "\${PATHV%%/*}"
  replaceOne: "\${PATHV/a/X}"
  replaceAll: "\${PATHV//a/X}"
  replacePrefix: "\${PATHV/#a/Z}"
  replaceSuffix: "\${PATHV/%c/Z}"
  multiline: "\${ML}"
  inText: "pre-\${NAME}-post and \${NAME}"
`,
    },
    spec: {
      ...base,
      path: "./app",
      postBuild: {
        substitute: { NAME: "homeops", MIXED: "HeLLo", PATHV: "a/b/a/c", EMPTY: "", ML: "one\ntwo" },
      },
    },
  },
  {
    name: "subst-from-configmap-and-secret",
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: out
data:
  a: "\${A}"
  b: "\${B}"
  c: "\${C}"
  d: "\${D}"
`,
    },
    varsObjects: `apiVersion: v1
kind: ConfigMap
metadata:
  name: cluster-settings
  namespace: flux-system
data:
  A: from-cm
  B: from-cm
  C: from-cm
---
apiVersion: v1
kind: Secret
metadata:
  name: cluster-secrets
  namespace: flux-system
type: Opaque
data:
  B: ZnJvbS1zZWNyZXQ=
  D: bXVsdGkKbGluZQ==
`,
    spec: {
      ...base,
      path: "./app",
      postBuild: {
        substitute: { C: "inline" },
        substituteFrom: [
          { kind: "ConfigMap", name: "cluster-settings" },
          { kind: "Secret", name: "cluster-secrets" },
          { kind: "ConfigMap", name: "absent", optional: true },
        ],
      },
    },
  },
  {
    name: "subst-missing-source-fails",
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": cm("x", { a: "${A:=1}" }),
    },
    spec: { ...base, path: "./app", postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "absent" }] } },
    expectError: true,
  },
  {
    name: "subst-disabled-opt-out",
    files: {
      "app/kustomization.yaml": kustomization("resources: [a.yaml, b.yaml]\n"),
      "app/a.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  labels:
    kustomize.toolkit.fluxcd.io/substitute: disabled
data:
  raw: "\${NOT_SET} and \${X}"
`,
      "app/b.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: b
  annotations:
    kustomize.toolkit.fluxcd.io/substitute: disabled
data:
  raw: "\${ALSO_NOT_SET}"
`,
    },
    spec: { ...base, path: "./app", postBuild: { substitute: { X: "x" } } },
  },
  {
    name: "subst-strict-undefined-fails",
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": cm("x", { a: "${DEFINED}", b: "${UNDEFINED}" }),
    },
    spec: { ...base, path: "./app", postBuild: { substitute: { DEFINED: "1" } } },
    strict: true,
    expectError: true,
  },
  {
    name: "subst-lenient-undefined-empty",
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": cm("x", { a: "${DEFINED}", b: "pre-${UNDEFINED}-post" }),
    },
    spec: { ...base, path: "./app", postBuild: { substitute: { DEFINED: "1" } } },
    strict: false,
  },
  {
    name: "subst-strict-nested-default-ok",
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": cm("x", { a: "${CLAIM:=${APP}}", b: "${SIZE:=5Gi}" }),
    },
    spec: { ...base, path: "./app", postBuild: { substitute: { APP: "web" } } },
    strict: true,
  },
  {
    name: "subst-strict-nested-undefined-fails",
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": cm("x", { a: "${CLAIM:=${MISSING}}" }),
    },
    spec: { ...base, path: "./app", postBuild: { substitute: { APP: "web" } } },
    strict: true,
    expectError: true,
  },
  {
    name: "subst-no-vars-no-substitution",
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": cm("x", { a: "${UNDEFINED}", b: "$${ESCAPED}" }),
    },
    spec: { ...base, path: "./app", postBuild: { substitute: {} } },
    strict: true,
  },
  {
    name: "subst-bad-syntax-fails",
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": cm("x", { a: "${foo.bar}" }),
    },
    spec: { ...base, path: "./app", postBuild: { substitute: { A: "1" } } },
    expectError: true,
  },
  {
    name: "subst-in-generated-configmap-and-keys",
    files: {
      "app/kustomization.yaml": kustomization(`configMapGenerator:
  - name: gen
    literals:
      - KEY=\${VALUE}
      - NUM=\${NUM}
    options: {disableNameSuffixHash: true}
resources: [cm.yaml]
`),
      "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keys\ndata:\n  ${KEYNAME}: value\n",
    },
    spec: {
      ...base,
      path: "./app",
      postBuild: { substitute: { VALUE: "v", NUM: "42", KEYNAME: "dynamic" } },
    },
  },
  {
    name: "common-metadata",
    files: {
      "app/kustomization.yaml": kustomization("resources: [deploy.yaml, service.yaml]\n"),
      "app/deploy.yaml": deploy("web"),
      "app/service.yaml": service("web"),
    },
    spec: {
      ...base,
      path: "./app",
      commonMetadata: { labels: { "app.kubernetes.io/part-of": "homeops" }, annotations: { owner: "me" } },
    },
  },
  {
    name: "volsync-style-component-with-substitution",
    files: {
      "apps/web/app/kustomization.yaml": kustomization(
        "resources: [deploy.yaml]\ncomponents: [../../../components/volsync]\n",
      ),
      "apps/web/app/deploy.yaml": deploy("web"),
      "components/volsync/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [pvc.yaml]
`,
      "components/volsync/pvc.yaml": `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: "\${VOLSYNC_CLAIM:-\${APP}}"
spec:
  accessModes: ["\${VOLSYNC_ACCESSMODES:=ReadWriteOnce}"]
  resources:
    requests:
      storage: "\${VOLSYNC_CAPACITY:=5Gi}"
  storageClassName: "\${VOLSYNC_STORAGECLASS:=ceph-block}"
`,
    },
    spec: {
      ...base,
      path: "./apps/web/app",
      targetNamespace: "default",
      postBuild: { substitute: { APP: "web", VOLSYNC_CAPACITY: "10Gi" } },
    },
    strict: true,
  },
  {
    name: "missing-resource-fails",
    files: {
      "app/kustomization.yaml": kustomization("resources: [deploy.yaml, nope.yaml]\n"),
      "app/deploy.yaml": deploy("web"),
    },
    spec: { ...base, path: "./app" },
    expectError: true,
  },
  {
    name: "component-cycle-fails",
    files: {
      "app/kustomization.yaml": kustomization("resources: [deploy.yaml]\ncomponents: [../c1]\n"),
      "app/deploy.yaml": deploy("web"),
      "c1/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncomponents: [../c2]\n",
      "c2/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncomponents: [../c1]\n",
    },
    spec: { ...base, path: "./app" },
    expectError: true,
  },
  {
    name: "smp-no-match-fails",
    files: {
      "app/kustomization.yaml": kustomization("resources: [deploy.yaml]\npatches:\n  - path: patch.yaml\n"),
      "app/deploy.yaml": deploy("web"),
      "app/patch.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: other\nspec:\n  replicas: 2\n",
    },
    spec: { ...base, path: "./app" },
    expectError: true,
  },
  {
    name: "target-no-match-is-ignored",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [deploy.yaml]
patches:
  - target: {kind: StatefulSet}
    patch: '[{"op": "add", "path": "/spec/replicas", "value": 2}]'
`),
      "app/deploy.yaml": deploy("web"),
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "duplicate-key-fails",
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: '1'\n  a: '2'\n",
    },
    spec: { ...base, path: "./app" },
    expectError: true,
  },
  {
    name: "list-kind-and-multi-doc",
    files: {
      "app/kustomization.yaml": kustomization("resources: [list.yaml, multi.yaml]\n"),
      "app/list.yaml": `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: one}
    data: {a: "1"}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: two}
`,
      "app/multi.yaml":
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: three\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: four\ndata:\n  n: '007'\n  t: 'true'\n  f: 1.50\n",
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "yaml-scalar-resolution",
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": `apiVersion: v1
kind: Custom
metadata:
  name: scalars
values:
  a: yes
  b: on
  c: off
  d: y
  e: 0777
  f: 0o17
  g: 1e3
  h: .5
  i: ~
  j: Null
  k: TRUE
  l: 1:20
  m: 0x1F
  n: 1_000
  o: No
  q: 2026-01-01
  r: 2026-01-02T03:04:05+02:00
  s: "quoted yes"
  t: 0b101
  u: -012
  v: 0644
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "subst-yaml-1.1-retyping",
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": `apiVersion: v1
kind: Custom
metadata:
  name: retyped
values:
  a: \${YES}
  b: \${ON}
  c: \${OCT}
  d: \${SEXA}
  e: \${DATE}
  f: \${NUL}
  g: \${LIST}
  h: \${N}
  i: "\${YES}"
  j: x-\${YES}
`,
    },
    spec: {
      ...base,
      path: "./app",
      postBuild: {
        substitute: {
          YES: "yes",
          ON: "on",
          OCT: "0777",
          SEXA: "1:20",
          DATE: "2026-01-01",
          NUL: "~",
          LIST: "[a, b]",
          N: "n",
        },
      },
    },
  },
  {
    name: "namespace-on-unknown-cluster-scoped-kinds",
    files: {
      "app/kustomization.yaml": kustomization("namespace: x\nresources: [objs.yaml]\n"),
      "app/objs.yaml": `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: letsencrypt
spec:
  acme: {server: "https://acme.example"}
---
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: onepassword
spec: {}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: x
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: high
value: 1000
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
  namespace: other
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects:
  - {kind: ServiceAccount, name: default, namespace: other}
  - {kind: ServiceAccount, name: sa, namespace: other}
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "labels-include-selectors-everywhere",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [objs.yaml]
labels:
  - pairs: {app.kubernetes.io/name: demo}
    includeSelectors: true
`),
      "app/objs.yaml": `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers: [{name: db, image: postgres}]
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db
spec:
  selector:
    matchLabels: {app: db}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
spec:
  podSelector:
    matchLabels: {app: db}
  ingress:
    - from:
        - podSelector:
            matchLabels: {role: client}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: once
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers: [{name: a, image: agent}]
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "images-edge-cases",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [objs.yaml]
images:
  - name: localhost:5000/tool
    newTag: "2"
  - name: busybox
    newName: docker.io/library/busybox
    newTag: "1.37"
  - name: ghcr.io/app/with-digest
    newTag: v2
`),
      "app/objs.yaml": `apiVersion: batch/v1
kind: CronJob
metadata:
  name: c
spec:
  schedule: "@hourly"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          initContainers:
            - {name: init, image: "localhost:5000/tool:1"}
          containers:
            - {name: main, image: busybox}
            - {name: other, image: "ghcr.io/app/with-digest:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
            - {name: unrelated, image: "busybox-extra:1"}
---
apiVersion: example.com/v1
kind: Custom
metadata:
  name: custom
spec:
  deep:
    containers:
      - {name: x, image: busybox}
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "secret-generator-references",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [deploy.yaml]
secretGenerator:
  - name: app-secret
    literals: [TOKEN=abc]
  - name: pull
    type: kubernetes.io/dockerconfigjson
    literals: ['.dockerconfigjson={"auths":{}}']
`),
      "app/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      imagePullSecrets: [{name: pull}]
      containers:
        - name: app
          image: web
          envFrom:
            - secretRef: {name: app-secret}
          env:
            - name: T
              valueFrom:
                secretKeyRef: {name: app-secret, key: TOKEN}
      volumes:
        - name: s
          secret: {secretName: app-secret}
        - name: p
          projected:
            sources:
              - secret: {name: app-secret}
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "smp-replace-directive-and-null-list",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [deploy.yaml]
patchesStrategicMerge:
  - patches.yaml
`),
      "app/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {a: "1", b: "2"}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      tolerations:
        - {key: a, operator: Exists}
      containers:
        - name: app
          image: web
          args: [--one]
          resources:
            limits: {cpu: "1", memory: 1Gi}
`,
      "app/patches.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    $patch: replace
    c: "3"
spec:
  template:
    spec:
      tolerations: null
      containers:
        - name: app
          args: [--two]
          resources:
            $patch: replace
            requests: {cpu: 100m}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: sidecar
          image: side
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "component-generator-merge",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [cm.yaml]
components: [../comp]
`),
      "app/cm.yaml": cm("settings", { a: "1" }),
      "comp/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
configMapGenerator:
  - name: settings
    behavior: merge
    literals: [b=2]
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "helmrelease-valuesfrom-nameref-configuration",
    files: {
      "app/kustomization.yaml": kustomization(`namespace: media
resources: [helmrelease.yaml]
configMapGenerator:
  - name: app-values
    files: [values.yaml]
  - name: other
    literals: [x=1]
configurations:
  - kustomizeconfig.yaml
`),
      "app/kustomizeconfig.yaml": `nameReference:
  - kind: ConfigMap
    version: v1
    fieldSpecs:
      - path: spec/valuesFrom/name
        kind: HelmRelease
`,
      "app/values.yaml": "replicas: 2\n",
      "app/helmrelease.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app
spec:
  interval: 1h
  chartRef: {kind: OCIRepository, name: app}
  valuesFrom:
    - kind: ConfigMap
      name: app-values
    - kind: Secret
      name: other
    - kind: ConfigMap
      name: not-generated
`,
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "artifact-default-exclusions",
    files: {
      "app/deploy.yaml": deploy("web"),
      "app/.sops.yaml": "creation_rules:\n  - age: age1xyz\n",
      "app/.github/workflow.yaml": "on: push\n",
      "app/sub/.flux.yaml": "not: a resource\n",
      "app/sub/cm.yaml": cm("web-config", { a: "1" }),
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "sourceignore-files",
    files: {
      ".sourceignore": "# drafts are not applied\n*.draft.yaml\n",
      "app/deploy.yaml": deploy("web"),
      "app/wip.draft.yaml": "not: a resource\n",
      "app/sub/.sourceignore": "local/\n!keep.draft.yaml\n",
      "app/sub/local/cm.yaml": "broken: [\n",
      "app/sub/keep.draft.yaml": cm("kept", { a: "1" }),
      "app/sub/cm.yaml": cm("web-config", { a: "1" }),
    },
    spec: { ...base, path: "./app" },
  },
  {
    name: "selectors-ports-delete-and-fields",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [objs.yaml]
labels:
  - pairs: {extra: "1"}
    fields:
      - path: spec/volumeClaimTemplates[]/metadata/labels
        kind: StatefulSet
        create: true
      - path: spec/custom/labels
        create: true
patches:
  - target:
      annotationSelector: team=a
      namespace: "team-.*"
      version: v1
    patch: '[{"op": "add", "path": "/metadata/labels", "value": {"selected": "yes"}}]'
  - patch: |
      apiVersion: v1
      kind: Service
      metadata:
        name: svc
        namespace: team-a
      spec:
        ports:
          - port: 80
            targetPort: 9090
          - port: 443
            name: https
  - patch: |
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db
        namespace: team-b
      spec:
        template:
          spec:
            containers:
              - name: db
                ports:
                  - containerPort: 9187
                    name: metrics
                  - containerPort: 5432
                    name: renamed
patchesStrategicMerge:
  - |
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: gone
      namespace: team-a
    $patch: delete
`),
      "app/objs.yaml": `apiVersion: v1
kind: Service
metadata:
  name: svc
  namespace: team-a
  annotations: {team: a}
spec:
  ports:
    - {name: http, port: 80, targetPort: 8080}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: gone
  namespace: team-a
  annotations: {team: b}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: team-b
  annotations: {team: a}
spec:
  custom: {}
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres
          ports:
            - {containerPort: 5432, name: pg}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce]}
`,
    },
    spec: { ...base, path: "./app", namePrefix: "p-", nameSuffix: "-s" },
  },
  {
    name: "local-config-dropped-and-replicas",
    files: {
      "app/kustomization.yaml": kustomization(`resources: [deploy.yaml, local.yaml]
replicas:
  - name: web
    count: 7
`),
      "app/deploy.yaml": deploy("web"),
      "app/local.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: local
  annotations:
    config.kubernetes.io/local-config: "true"
`,
    },
    spec: { ...base, path: "./app" },
  },
];

/** A deterministic generator of random (valid) envsubst expressions, for a bulk differential case. */
function randomExpressions(seed: number, count: number, substrings = true): string[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const vars = ["NAME", "EMPTY", "PATHV", "MIXED", "NUM", "UNSET", "UNSET2"];
  const words = ["a", "b/", "x-y", "a", "/", "ab", "7", "0", "."];
  const word = (): string => Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(words)).join("");
  const expr = (depth: number): string => {
    const v = pick(vars);
    const arg = (): string => (depth < 2 && next() < 0.3 ? expr(depth + 1) : word());
    let form = Math.floor(next() * 14);
    if (!substrings && (form === 6 || form === 7)) form = 0;
    switch (form) {
      case 0:
        return `\${${v}}`;
      case 1:
        return `\${${v}:=${arg()}}`;
      case 2:
        return `\${${v}:-${arg()}}`;
      case 3:
        return `\${${v}=${arg()}}`;
      case 4:
        return `\${#${v}}`;
      case 5:
        return `\${${v}${pick(["^", "^^", ",", ",,"])}}`;
      case 6:
        return `\${${v}:${Math.floor(next() * 6) - 2}}`;
      case 7:
        return `\${${v}:${Math.floor(next() * 4)}:${Math.floor(next() * 4)}}`;
      case 8:
        return `\${${v}${pick(["#", "##", "%", "%%"])}${pick(["*/", "a*", "*", "?", "a", "*a"])}}`;
      case 9:
        // ("/" inside a replace pattern is a syntax error on both sides; the valid forms are compared here)
        return `\${${v}${pick(["/", "//", "/#", "/%"])}${pick(["a", "b", "x", "0"])}/${word().replaceAll("/", "")}}`;
      case 10:
        return `$\${${v}}`;
      case 11:
        return `$${v} and $$`;
      default:
        return `${word()}-${expr(depth + 1)}-${word()}`;
    }
  };
  return Array.from({ length: count }, () => expr(0));
}

const randomData = Object.fromEntries(randomExpressions(20261125, 400).map((e, i) => [`k${i}`, e]));

ORACLE_CASES.push({
  name: "subst-random-expressions-lenient",
  files: {
    "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
    "app/cm.yaml": cm("random", randomData),
  },
  spec: {
    ...base,
    path: "./app",
    postBuild: {
      substitute: { NAME: "homeops", EMPTY: "", PATHV: "a/b/a/c", MIXED: "HeLLo wOrld", NUM: "0042" },
    },
  },
  strict: false,
});

ORACLE_CASES.push({
  name: "subst-random-expressions-unicode",
  files: {
    "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
    "app/cm.yaml": cm(
      "random",
      Object.fromEntries(randomExpressions(7, 300, false).map((e, i) => [`k${i}`, e])),
    ),
  },
  spec: {
    ...base,
    path: "./app",
    postBuild: {
      substitute: { NAME: "hömeöps", EMPTY: "", PATHV: "ä/b/ä/c", MIXED: "Érable Ünïcode", NUM: "1_000" },
    },
  },
  strict: false,
});

ORACLE_CASES.push({
  name: "subst-substring-cuts-multibyte-fails",
  files: {
    "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
    "app/cm.yaml": cm("cut", { ok: "${NAME:0:1}", cut: "${NAME:1:1}" }),
  },
  spec: { ...base, path: "./app", postBuild: { substitute: { NAME: "hömeöps" } } },
  expectError: true,
});

// Substituted values that stay valid YAML in every position (plain, quoted, embedded in text).
const TRICKY_SCALARS = [
  "yes",
  "Yes",
  "YES",
  "no",
  "ON",
  "off",
  "y",
  "N",
  "true",
  "False",
  "null",
  "Null",
  "~",
  "",
  "0x1F",
  "0o17",
  "017",
  "0b11",
  "1_000",
  "+1",
  "-0",
  "1e3",
  "1.5e+3",
  "-.5",
  "+.5",
  "0.",
  "1.",
  "10.0",
  "12:30",
  "1:2:3",
  "2026-01-01",
  "2026-01-01T10:00:00Z",
  "0x",
  "1__0",
  "--",
  "+",
  "e3",
  "1e",
  "007",
  "08",
  "0.1.2",
  "1,000",
  "$",
  "$$",
  "[a, b]",
  "#hash",
  "!tag",
  "&anchor",
  "'q'",
  '"dq"',
  "|",
  ">",
  ".",
];

// Substituted values that break the YAML Flux parses back: the build must fail on both sides.
const BREAKING_SCALARS: [string, "plain" | "embedded"][] = [
  ["-", "plain"],
  ["a: b", "plain"],
  ["*alias", "plain"],
  ["%", "plain"],
  ["@", "plain"],
  ["`", "plain"],
  ["? x", "plain"],
  ["- x", "plain"],
  ["a: b", "embedded"],
  ["{a: 1}", "embedded"],
];

for (const [i, [value, form]] of BREAKING_SCALARS.entries()) {
  ORACLE_CASES.push({
    name: `subst-breaking-scalar-${i}-${form}`,
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": `apiVersion: v1\nkind: Custom\nmetadata:\n  name: m\nvalues:\n  v: ${form === "plain" ? "${V}" : "x${V}x"}\n`,
    },
    spec: { ...base, path: "./app", postBuild: { substitute: { V: value } } },
    expectError: true,
  });
}

ORACLE_CASES.push({
  name: "subst-scalar-retyping-matrix",
  files: {
    "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
    "app/cm.yaml": `apiVersion: v1
kind: Custom
metadata:
  name: matrix
values:
${TRICKY_SCALARS.map((_, i) => `  plain${i}: \${V${i}}\n  quoted${i}: "\${V${i}}"\n  embedded${i}: x\${V${i}}x\n`).join("")}`,
  },
  spec: {
    ...base,
    path: "./app",
    postBuild: { substitute: Object.fromEntries(TRICKY_SCALARS.map((v, i) => [`V${i}`, v])) },
  },
});

// Plain scalars as written in source files (read with yaml.v3 rules).
const SOURCE_SCALARS = [
  "yes",
  "Yes",
  "YES",
  "no",
  "ON",
  "off",
  "y",
  "N",
  "true",
  "False",
  "TRUE",
  "null",
  "Null",
  "NULL",
  "~",
  "",
  "0x1F",
  "0X1F",
  "+0x1F",
  "0o17",
  "017",
  "0b11",
  "0B11",
  "-0b1",
  "1_000",
  "-_1",
  "_1",
  "0_7",
  "+1",
  "-0",
  "1e3",
  "1E3",
  "1.5e+3",
  "-.5",
  "+.5",
  "0.",
  "1.",
  "10.0",
  "1e400",
  "0xFFFFFFFFFFFFFFFFF",
  "12:30",
  "1:2:3",
  "2026-01-01",
  "2026-1-1",
  "2026-01-01T10:00:00Z",
  "2026-01-01 10:00:00",
  "2026-01-01t10:00:00.5+02:00",
  "0x",
  "1__0",
  "--",
  "+",
  "e3",
  "1e",
  "007",
  "08",
  "0.1.2",
  "1,000",
  "$",
  "$$",
  "[a, b]",
  "#hash",
  "'q'",
  '"dq"',
  ".",
];

ORACLE_CASES.push({
  name: "source-scalar-matrix",
  files: {
    "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
    "app/cm.yaml": `apiVersion: v1\nkind: Custom\nmetadata:\n  name: source\nvalues:\n${SOURCE_SCALARS.map((v, i) => `  v${i}: ${v}\n`).join("")}`,
  },
  spec: { ...base, path: "./app" },
});

for (const [i, value] of [".inf", "-.Inf", ".NaN"].entries()) {
  ORACLE_CASES.push({
    name: `source-non-finite-fails-${i}`,
    files: {
      "app/kustomization.yaml": kustomization("resources: [cm.yaml]\n"),
      "app/cm.yaml": `apiVersion: v1\nkind: Custom\nmetadata:\n  name: m\nvalues:\n  v: ${value}\n`,
    },
    spec: { ...base, path: "./app" },
    expectError: true,
  });
}

#!/usr/bin/env node
// Writes a synthetic home-ops repository with N apps, shaped like the corpus (../shared/REAL-REPOS.md):
//   kubernetes/flux/cluster/ks.yaml              root Flux Kustomization `cluster-apps` (path ./kubernetes/apps)
//   kubernetes/apps/<ns>/kustomization.yaml      namespace dir: `namespace:`, the common Namespace component,
//                                                every app's ks.yaml
//   kubernetes/apps/<ns>/<app>/ks.yaml           Flux Kustomization: targetNamespace, commonMetadata, dependsOn
//                                                (the namespace's first app, which depends on ns-00's first
//                                                app), postBuild.substitute (APP, VOLSYNC_*); every third app
//                                                takes the volsync component through the Flux Kustomization's
//                                                spec.components (onedr0p style)
//   kubernetes/apps/<ns>/<app>/app/…             app-template HelmRelease + its OCIRepository, an ExternalSecret,
//                                                a configMapGenerator (literals; files for every fourth app),
//                                                a strategic-merge patch (even apps) or an inline JSON6902 patch
//                                                (odd apps) on the HelmRelease; apps i % 3 == 1 take the volsync
//                                                component from their kustomization.yaml and add a LoadBalancer
//                                                Service
//   kubernetes/components/common/                Namespace component (`name: _`, renamed by `namespace:`)
//   kubernetes/components/volsync/               Component: PVC `${APP}` sized `${VOLSYNC_CAPACITY:=5Gi}`, its
//                                                ExternalSecret and restic ReplicationSource
// Usage: node bench/generate-repo.mjs <out-dir> [apps=200]
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Every file of the synthetic repository as [path, text] pairs (relative to the repository root). */
export function repoFiles(apps = 200) {
  const files = new Map();
  const write = (file, text) => files.set(file, text);
  const namespaces = Math.max(1, Math.ceil(apps / 20));
  const width = Math.max(3, String(apps - 1).length);
  const nsName = (k) => `ns-${String(k).padStart(2, "0")}`;
  const appName = (i) => `app-${String(i).padStart(width, "0")}`;
  write(
    "kubernetes/flux/cluster/ks.yaml",
    `---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: cluster-apps
  namespace: flux-system
spec:
  interval: 1h
  path: ./kubernetes/apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  # cluster-template style: every child Flux Kustomization substitutes from the namespace's cluster-settings
  patches:
    - patch: |-
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: _
        spec:
          postBuild:
            substituteFrom:
              - name: cluster-settings
                kind: ConfigMap
      target:
        group: kustomize.toolkit.fluxcd.io
        kind: Kustomization
`,
  );
  write(
    "kubernetes/components/common/kustomization.yaml",
    "---\napiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - ./namespace.yaml\n  - ./cluster-settings.yaml\n",
  );
  write(
    "kubernetes/components/common/cluster-settings.yaml",
    "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-settings\ndata:\n  SECRET_DOMAIN: example.com\n  TIMEZONE: Etc/UTC\n",
  );
  write(
    "kubernetes/components/common/namespace.yaml",
    "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: _\n",
  );
  write(
    "kubernetes/components/volsync/kustomization.yaml",
    `---
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
  - ./externalsecret.yaml
  - ./pvc.yaml
  - ./replicationsource.yaml
`,
  );
  write(
    "kubernetes/components/volsync/pvc.yaml",
    `---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: \${APP}
spec:
  accessModes:
    - \${VOLSYNC_ACCESSMODES:=ReadWriteOnce}
  resources:
    requests:
      storage: \${VOLSYNC_CAPACITY:=5Gi}
  storageClassName: \${VOLSYNC_STORAGECLASS:=ceph-block}
`,
  );
  write(
    "kubernetes/components/volsync/externalsecret.yaml",
    `---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: \${APP}-volsync
spec:
  secretStoreRef:
    kind: ClusterSecretStore
    name: onepassword
  target:
    name: \${APP}-volsync-secret
    template:
      data:
        RESTIC_REPOSITORY: "s3:https://s3.example.com/volsync/\${APP}"
        RESTIC_PASSWORD: "{{ .RESTIC_PASSWORD }}"
  dataFrom:
    - extract:
        key: volsync
`,
  );
  write(
    "kubernetes/components/volsync/replicationsource.yaml",
    `---
apiVersion: volsync.backube/v1alpha1
kind: ReplicationSource
metadata:
  name: \${APP}
spec:
  sourcePVC: \${APP}
  trigger:
    schedule: "15 * * * *"
  restic:
    copyMethod: \${VOLSYNC_COPYMETHOD:=Snapshot}
    pruneIntervalDays: 7
    repository: \${APP}-volsync-secret
    retain:
      hourly: 24
      daily: 7
`,
  );
  // the store every ExternalSecret uses is declared in Git (in app-000's directory), as in the corpus
  write(
    `kubernetes/apps/${nsName(0)}/${appName(0)}/app/clustersecretstore.yaml`,
    `---
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: onepassword
spec:
  provider:
    onepassword:
      connectHost: http://onepassword-connect.external-secrets.svc.cluster.local
      vaults:
        homeops: 1
      auth:
        secretRef:
          connectTokenSecretRef:
            name: onepassword-secret
            key: token
            namespace: external-secrets
`,
  );
  const byNamespace = new Map();
  for (let i = 0; i < apps; i++) {
    const k = i % namespaces;
    const ns = nsName(k);
    const app = appName(i);
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), app]);
    const base = `kubernetes/apps/${ns}/${app}`;
    const fluxComponent = i % 3 === 0; // volsync through the Flux Kustomization's spec.components
    const kustomizeComponent = i % 3 === 1; // volsync through the app's kustomization.yaml (+ a Service)
    const hasClaim = fluxComponent || kustomizeComponent;
    // dependsOn: the namespace's first app (i < namespaces) depends on ns-00's first app, the others on
    // their namespace's first app
    const dependsOn =
      i === 0
        ? ""
        : i < namespaces
          ? `  dependsOn:\n    - name: ${appName(0)}\n      namespace: ${nsName(0)}\n`
          : `  dependsOn:\n    - name: ${appName(k)}\n`;
    write(
      `${base}/ks.yaml`,
      `---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${app}
spec:
  targetNamespace: ${ns}
  commonMetadata:
    labels:
      app.kubernetes.io/name: ${app}
${dependsOn}  interval: 1h
  path: ./${base}/app
${fluxComponent ? "  components:\n    - ../../../../components/volsync\n" : ""}  prune: true
  retryInterval: 2m
  sourceRef:
    kind: GitRepository
    name: flux-system
    namespace: flux-system
  timeout: 5m
  wait: false
  postBuild:
    substitute:
      APP: ${app}
      VOLSYNC_CAPACITY: ${1 + (i % 20)}Gi
`,
    );
    const resources = [
      "./ocirepository.yaml",
      "./helmrelease.yaml",
      "./externalsecret.yaml",
      ...(kustomizeComponent ? ["./service.yaml"] : []),
      ...(i === 0 ? ["./clustersecretstore.yaml"] : []),
    ];
    const fileConfig = i % 4 === 0;
    const patch =
      i % 2 === 0
        ? "patches:\n  - path: ./patches/resources.yaml\n"
        : `patches:
  - target:
      kind: HelmRelease
    patch: |-
      - op: add
        path: /spec/values/defaultPodOptions
        value:
          securityContext:
            runAsNonRoot: true
            runAsUser: ${1000 + i}
      - op: replace
        path: /spec/interval
        value: 30m
`;
    write(
      `${base}/app/kustomization.yaml`,
      `---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
${resources.map((r) => `  - ${r}\n`).join("")}${kustomizeComponent ? "components:\n  - ../../../../components/volsync\n" : ""}configMapGenerator:
  - name: ${app}-config
    literals:
      - LOG_LEVEL=info
      - PORT=8080
${fileConfig ? "    files:\n      - config.yaml=./resources/config.yaml\n" : ""}generatorOptions:
  disableNameSuffixHash: true
${patch}`,
    );
    if (fileConfig)
      write(
        `${base}/app/resources/config.yaml`,
        `server:\n  port: 8080\n  name: ${app}\nlogging:\n  level: info\n  format: json\n`,
      );
    if (i % 2 === 0)
      write(
        `${base}/app/patches/resources.yaml`,
        `---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: \${APP}
spec:
  values:
    controllers:
      \${APP}:
        containers:
          app:
            resources:
              requests:
                cpu: 25m
                memory: 64Mi
`,
      );
    write(
      `${base}/app/ocirepository.yaml`,
      `---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: \${APP}
spec:
  interval: 15m
  layerSelector:
    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip
    operation: copy
  ref:
    tag: 4.4.0
  url: oci://ghcr.io/bjw-s-labs/helm/app-template
`,
    );
    write(
      `${base}/app/helmrelease.yaml`,
      `---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: \${APP}
spec:
  interval: 1h
  chartRef:
    kind: OCIRepository
    name: \${APP}
  install:
    remediation:
      retries: -1
  upgrade:
    cleanupOnFail: true
    remediation:
      retries: 3
  values:
    controllers:
      \${APP}:
        annotations:
          reloader.stakater.com/auto: "true"
        containers:
          app:
            image:
              repository: ghcr.io/example/${app}
              tag: 1.${i}.0
            env:
              TZ: Etc/UTC
            envFrom:
              - secretRef:
                  name: ${app}-secret
              - configMapRef:
                  name: ${app}-config
            probes:
              liveness:
                enabled: true
              readiness:
                enabled: true
            resources:
              requests:
                cpu: 10m
              limits:
                memory: 256Mi
    service:
      app:
        ports:
          http:
            port: 8080
    route:
      app:
        hostnames:
          - "{{ .Release.Name }}.\${SECRET_DOMAIN}"
        parentRefs:
          - name: envoy-internal
            namespace: network
    persistence:
${
  hasClaim ? "      config:\n        existingClaim: ${APP}\n" : "      config:\n        type: emptyDir\n"
}      tmp:
        type: emptyDir
`,
    );
    write(
      `${base}/app/externalsecret.yaml`,
      `---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: \${APP}
spec:
  secretStoreRef:
    kind: ClusterSecretStore
    name: onepassword
  target:
    name: ${app}-secret
    template:
      data:
        TOKEN: "{{ .TOKEN }}"
  dataFrom:
    - extract:
        key: \${APP}
`,
    );
    if (kustomizeComponent) {
      write(
        `${base}/app/service.yaml`,
        `---
apiVersion: v1
kind: Service
metadata:
  name: \${APP}-lb
spec:
  type: LoadBalancer
  ports:
    - name: http
      port: 80
      targetPort: 8080
  selector:
    app.kubernetes.io/name: \${APP}
`,
      );
    }
  }
  for (const [ns, list] of byNamespace) {
    write(
      `kubernetes/apps/${ns}/kustomization.yaml`,
      `---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${ns}
components:
  - ../../components/common
resources:
${list.map((app) => `  - ./${app}/ks.yaml\n`).join("")}`,
    );
  }
  return { files, apps, namespaces };
}

/** Writes the synthetic repository under `out` (emptied first). */
export function generateRepo(out, apps = 200) {
  rmSync(out, { recursive: true, force: true });
  const { files, namespaces } = repoFiles(apps);
  for (const [file, text] of files) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), text);
  }
  return { apps, namespaces, files: files.size };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, apps] = process.argv.slice(2);
  if (!out) {
    process.stderr.write("usage: node bench/generate-repo.mjs <out-dir> [apps=200]\n");
    process.exit(2);
  }
  const result = generateRepo(out, Number(apps ?? 200));
  process.stdout.write(
    `wrote ${result.apps} apps in ${result.namespaces} namespaces (${result.files} files) to ${out}\n`,
  );
}

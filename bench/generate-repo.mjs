#!/usr/bin/env node
// Writes a synthetic home-ops repository with N apps in the usual layout:
//   kubernetes/flux/cluster/ks.yaml            root Flux Kustomization (path ./kubernetes/apps)
//   kubernetes/apps/<ns>/kustomization.yaml    namespace dir: component + every app's ks.yaml
//   kubernetes/apps/<ns>/<app>/ks.yaml         Flux Kustomization with postBuild substitution
//   kubernetes/apps/<ns>/<app>/app/…           HelmRelease (app-template), OCIRepository, ExternalSecret,
//                                              configMapGenerator, and a Service + PVC for every third app
//   kubernetes/components/common/              Namespace component
// Usage: node bench/generate-repo.mjs <out-dir> [apps=200]
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export function generateRepo(out, apps = 200) {
  rmSync(out, { recursive: true, force: true });
  const write = (file, text) => {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), text);
  };
  const namespaces = Math.max(1, Math.ceil(apps / 20));
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
`,
  );
  write(
    "kubernetes/components/common/kustomization.yaml",
    "---\napiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - ./namespace.yaml\n",
  );
  write(
    "kubernetes/components/common/namespace.yaml",
    "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: _\n",
  );
  const byNamespace = new Map();
  for (let i = 0; i < apps; i++) {
    const ns = `ns-${String(i % namespaces).padStart(2, "0")}`;
    const app = `app-${String(i).padStart(3, "0")}`;
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), app]);
    const base = `kubernetes/apps/${ns}/${app}`;
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
  interval: 1h
  path: ./${base}/app
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
    namespace: flux-system
  wait: false
  postBuild:
    substitute:
      APP: ${app}
      VOLSYNC_CAPACITY: 2Gi
`,
    );
    const extra = i % 3 === 0 ? ["./service.yaml", "./pvc.yaml"] : [];
    write(
      `${base}/app/kustomization.yaml`,
      `---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ./ocirepository.yaml
  - ./helmrelease.yaml
  - ./externalsecret.yaml
${extra.map((r) => `  - ${r}\n`).join("")}configMapGenerator:
  - name: ${app}-config
    literals:
      - LOG_LEVEL=info
      - PORT=8080
generatorOptions:
  disableNameSuffixHash: true
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
        containers:
          app:
            image:
              repository: ghcr.io/example/${app}
              tag: 1.${i}.0
            env:
              TZ: Etc/UTC
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
    persistence:
      config:
        existingClaim: \${APP}
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
    if (extra.length > 0) {
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
      write(
        `${base}/app/pvc.yaml`,
        `---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: \${APP}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: \${VOLSYNC_CAPACITY:=5Gi}
  storageClassName: ceph-block
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
  return { apps, namespaces };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, apps] = process.argv.slice(2);
  if (!out) {
    process.stderr.write("usage: node bench/generate-repo.mjs <out-dir> [apps=200]\n");
    process.exit(2);
  }
  const result = generateRepo(out, Number(apps ?? 200));
  process.stdout.write(`wrote ${result.apps} apps in ${result.namespaces} namespaces to ${out}\n`);
}

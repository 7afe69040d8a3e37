import { describe, expect, it } from "vitest";
import { checkInvariants } from "../check.js";

/** Findings of one rule over an in-memory repository, as `file:line:col message`. */
function check(
  rule: string,
  files: Record<string, string>,
  literals: { name: string; value: string }[] = [],
): string[] {
  const report = checkInvariants(
    { files: new Map(Object.entries(files)), forbiddenLiterals: literals },
    { only: [rule] },
  );
  return report.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`);
}

// token-shaped strings are assembled at run time so this file never looks like a leak itself
const fake = {
  github: `${"ghp"}_${"Ab1".repeat(12)}`,
  age: `${"AGE-SECRET"}-KEY-1${"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L".repeat(2).slice(0, 58)}`,
  pem: `-----BEGIN ${"OPENSSH"} PRIVATE KEY-----\n${"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB\n".repeat(3)}-----END OPENSSH PRIVATE KEY-----`,
  aws: `${"AKIA"}${"ABCDEFGHIJKLMNOP"}`,
  pemB64: Buffer.from(
    `-----BEGIN ${"EC"} PRIVATE KEY-----\nMHcCAQEEI\n-----END EC PRIVATE KEY-----\n`,
  ).toString("base64"),
};

describe("secrets/leaked-key", () => {
  it("finds private keys and tokens with their position", () => {
    expect(
      check("secrets/leaked-key", {
        "scripts/setup.sh": `#!/bin/sh\nexport GITHUB_TOKEN=${fake.github}\n`,
        "age.key": `# created: 2026\n${fake.age}\n`,
        "talos/id": fake.pem,
        "x.env": `AWS_ACCESS_KEY_ID=${fake.aws}\n`,
        talosconfig: `contexts:\n  home:\n    key: ${fake.pemB64}\n`,
      }),
    ).toEqual([
      "age.key:2:1 age secret key in a tracked file",
      "scripts/setup.sh:2:21 GitHub token in a tracked file",
      "talos/id:1:1 PEM private key in a tracked file",
      "talosconfig:3:10 base64-encoded PEM private key in a tracked file",
      "x.env:1:19 AWS access key id in a tracked file",
    ]);
  });

  it("finds every other token format it knows (each pattern's quick pre-check included)", () => {
    const a = "Ab1".repeat(30);
    const tokens: Record<string, string> = {
      "GitHub fine-grained token": `${"github"}_pat_${`${a}_x`.slice(0, 82)}`,
      "GitLab token": `${"glpat"}-${a.slice(0, 20)}`,
      "Slack token": `${"xoxb"}-${"1234567890"}-${a.slice(0, 12)}`,
      "Google API key": `${"AIza"}${a.slice(0, 35)}`,
      "Stripe live key": `${"sk_live"}_${a.slice(0, 24)}`,
      "OpenAI API key": `${"sk-proj"}-${a.slice(0, 40)}`,
      "Anthropic API key": `${"sk-ant"}-api03-${a.slice(0, 40)}`,
      "Tailscale key": `${"tskey"}-auth-${a.slice(0, 10)}-${a.slice(0, 20)}`,
      "npm token": `${"npm"}_${a.slice(0, 36)}`,
      "PGP private key": `-----BEGIN PGP ${"PRIVATE"} KEY BLOCK-----`,
    };
    const files = Object.fromEntries(Object.values(tokens).map((t, i) => [`f${i}.txt`, `x ${t}\n`]));
    const found = check("secrets/leaked-key", files);
    expect(found).toEqual(
      Object.keys(tokens)
        .map((name, i) => `f${i}.txt:1:3 ${name} in a tracked file`)
        .sort(),
    );
  });

  it("leaves public material and ciphertext alone", () => {
    expect(
      check("secrets/leaked-key", {
        ".sops.yaml":
          "creation_rules:\n  - age: age1r66nfs4njvf2tmmx86m3pt38vredc3jjjl9c0j9cqw3s4ax04sxs2yezlq\n",
        "ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "key.pub": "-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----\n",
        "s.sops.yaml":
          "stringData:\n  TOKEN: ENC[AES256_GCM,data:yQpZ7hnAYlaQ9xdxAQ==,iv:GT2x,tag:6IKX,type:str]\n",
        "docs/tokens.md": "GitHub tokens start with `ghp_`; age keys with `AGE-SECRET-KEY-1`.\n",
      }),
    ).toEqual([]);
  });
});

describe("secrets/plaintext-secret", () => {
  const secret = (body: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n${body}`;
  it("flags plaintext data and a value SOPS left unencrypted", () => {
    expect(
      check("secrets/plaintext-secret", {
        "kubernetes/a.yaml": secret("data:\n  TOKEN: aHVudGVyMg==\n"),
        "kubernetes/b.sops.yaml": secret(
          "stringData:\n  A: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n  B: plain\nsops:\n  mac: ENC[AES256_GCM,data:x]\n",
        ),
      }),
    ).toEqual([
      "kubernetes/a.yaml:5:1 Secret s has data in plaintext (no SOPS encryption)",
      "kubernetes/b.sops.yaml:7:6 Secret s: stringData.B is not encrypted",
    ]);
  });
  it("accepts encrypted Secrets and Secrets without values", () => {
    expect(
      check("secrets/plaintext-secret", {
        "kubernetes/a.sops.yaml": secret(
          "stringData:\n  A: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:x]\n",
        ),
        "kubernetes/token.yaml": secret("type: kubernetes.io/service-account-token\n"),
        "kubernetes/empty.yaml": secret("data: {}\n"),
      }),
    ).toEqual([]);
  });
});

describe("secrets/sops-* and .sops.yaml creation rules", () => {
  const encrypted =
    "stringData:\n  A: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:x]\n";
  it("matches path_regex relative to the nearest .sops.yaml, with Go's (?i) flag", () => {
    const files = {
      ".sops.yaml": "creation_rules:\n  - path_regex: (?i)KUBERNETES/.*\\.sops\\.ya?ml\n",
      "kubernetes/a.sops.yaml": encrypted,
      "talos/b.sops.yaml": encrypted,
      "other/.sops.yaml": "creation_rules:\n  - path_regex: ^c\\.sops\\.yaml$\n",
      "other/c.sops.yaml": encrypted,
      "bootstrap/templates/x.sops.yaml.eta": "not: encrypted\n",
    };
    expect(check("secrets/sops-no-creation-rule", files)).toEqual([
      "talos/b.sops.yaml:1:1 no creation rule of .sops.yaml matches talos/b.sops.yaml",
    ]);
    expect(check("secrets/sops-unencrypted", files)).toEqual([]);
  });
  it("flags unencrypted *.sops.* files of every format", () => {
    expect(
      check("secrets/sops-unencrypted", {
        "a.sops.yaml": "stringData:\n  A: b\n",
        "b.sops.json": '{"a": 1}',
        "c.sops.env": "A=b\n",
        "d.sops.env": "A=ENC[AES256_GCM,data:x]\nsops_mac=ENC[AES256_GCM,data:y]\nsops_version=3.13.3\n",
        // a SOPS key without the encrypted MAC is not SOPS output
        "e.sops.env": "A=b\nsops_version=3.13.3\n",
      }).map((s) => s.split(" ")[0]),
    ).toEqual(["a.sops.yaml:1:1", "b.sops.json:1:1", "c.sops.env:1:1", "e.sops.env:1:1"]);
  });
});

describe("kustomize/missing-entry", () => {
  it("checks resources, components, patches and generator files; skips remote entries", () => {
    expect(
      check("kustomize/missing-entry", {
        "kubernetes/app/kustomization.yaml": [
          "resources:",
          "  - ./present.yaml",
          "  - https://github.com/fluxcd/flux2/releases/download/v2.9.0/install.yaml",
          "  - github.com/org/repo//deploy?ref=v1",
          "  - ./nodir",
          "  - ../../../outside.yaml",
          "components:",
          "  - ../components/ok",
          "  - ../components/empty",
          "configMapGenerator:",
          "  - name: cfg",
          "    files:",
          "      - config.yaml=./resources/config.yaml",
          "      - ./resources/missing.conf",
          "patches:",
          "  - path: ./patch.yaml",
          "",
        ].join("\n"),
        "kubernetes/app/present.yaml": "a: 1\n",
        "kubernetes/app/resources/config.yaml": "a: 1\n",
        "kubernetes/components/ok/kustomization.yaml": "kind: Component\n",
        "kubernetes/components/empty/pvc.yaml": "a: 1\n",
      }),
    ).toEqual([
      "kubernetes/app/kustomization.yaml:5:5 resources entry './nodir' does not exist (kubernetes/app/nodir)",
      "kubernetes/app/kustomization.yaml:6:5 resources entry '../../../outside.yaml' points outside the repository",
      "kubernetes/app/kustomization.yaml:9:5 components entry '../components/empty' is a directory without a kustomization.yaml",
      "kubernetes/app/kustomization.yaml:14:9 configMapGenerator entry './resources/missing.conf' does not exist (kubernetes/app/resources/missing.conf)",
      "kubernetes/app/kustomization.yaml:16:11 patches entry './patch.yaml' does not exist (kubernetes/app/patch.yaml)",
    ]);
  });
});

describe("kustomization field names, as kustomize reads them (Go's encoding/json: any case)", () => {
  const files = {
    "kubernetes/apps/kustomization.yaml": "resources:\n  - ./cilium\n",
    "kubernetes/apps/cilium/kustomization.yaml": [
      "Resources:",
      "  - ./helmrelease.yaml",
      "configMapgenerator:",
      "  - name: cilium-values",
      "    files:",
      "      - ./values.yaml",
      "      - ./missing.yaml",
      "",
    ].join("\n"),
    "kubernetes/apps/cilium/helmrelease.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n",
    // a manifest-shaped generator input: referenced by the generator, not a forgotten entry
    "kubernetes/apps/cilium/values.yaml": "apiVersion: v1\nkind: ConfigMap\n",
  };
  it("a `configMapgenerator` entry is an entry (located at the key the file has)", () => {
    expect(check("kustomize/missing-entry", files)).toEqual([
      "kubernetes/apps/cilium/kustomization.yaml:7:9 configMapGenerator entry './missing.yaml' does not exist (kubernetes/apps/cilium/missing.yaml)",
    ]);
    expect(check("flux/unreferenced-file", files)).toEqual([]);
  });
});

describe("flux/unwired-app and flux/unreferenced-file", () => {
  const files = {
    "kubernetes/apps/games/kustomization.yaml":
      "namespace: games\nresources:\n  - ./namespace.yaml\n  - ./romm\n  - ./gen/ks.yaml\n",
    "kubernetes/apps/games/namespace.yaml": "kind: Namespace\n",
    "kubernetes/apps/games/romm/kustomization.yaml": "resources:\n  - ./ks.yaml\n",
    "kubernetes/apps/games/romm/ks.yaml":
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec:\n  path: ./kubernetes/apps/games/romm/app\n",
    "kubernetes/apps/games/romm/app/kustomization.yaml":
      "resources:\n  - ./helmrelease.yaml\nconfigMapGenerator:\n  - name: c\n    files: [./resources/a.conf]\n",
    "kubernetes/apps/games/romm/app/helmrelease.yaml": "kind: HelmRelease\n",
    "kubernetes/apps/games/romm/app/resources/a.conf": "x\n",
    "kubernetes/apps/games/romm/app/README.md": "notes\n",
    "kubernetes/apps/games/other/ks.yaml":
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec:\n  path: ./kubernetes/apps/games/other/app\n",
    "kubernetes/apps/games/other/app/stray.yaml": "apiVersion: v1\nkind: ConfigMap\n",
    "kubernetes/apps/games/other/app/kustomization.yaml": "resources: []\n",
    "kubernetes/apps/nokust/app.yaml": "kind: ConfigMap\n",
    // a Flux path without kustomization.yaml: Flux generates one with every manifest in it
    "kubernetes/apps/games/gen/ks.yaml":
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec:\n  path: ./kubernetes/apps/games/gen/app\n",
    "kubernetes/apps/games/gen/app/helmrelease.yaml": "kind: HelmRelease\n",
  };
  it("follows directory entries; reports the unlisted ks.yaml at resources: of the namespace", () => {
    expect(check("flux/unwired-app", files)).toEqual([
      "kubernetes/apps/games/kustomization.yaml:2:1 kubernetes/apps/games/other/ks.yaml is not listed in kubernetes/apps/games/kustomization.yaml: Flux never applies it",
    ]);
  });
  it("reports files no kustomization lists (Markdown and directories without kustomization.yaml excepted)", () => {
    expect(check("flux/unreferenced-file", files)).toEqual([
      "kubernetes/apps/games/other/app/stray.yaml:1:1 kubernetes/apps/games/other/app/stray.yaml is not referenced by kubernetes/apps/games/other/app/kustomization.yaml (or any kustomization file): it is never applied",
    ]);
  });
});

describe("flux/unreferenced-file and flux/unwired-app on real repositories' layouts", () => {
  const app = "kubernetes/apps/media/plex/app";
  const files = {
    "kubernetes/apps/media/kustomization.yaml":
      "resources:\n  - ./plex/ks.yaml\n  # - ./immich/ks.yaml\n  #- ./old\n",
    "kubernetes/apps/media/plex/ks.yaml":
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec:\n  path: ./kubernetes/apps/media/plex/app\n",
    // disabled on purpose: the namespace kustomization has the entry commented out
    "kubernetes/apps/media/immich/ks.yaml":
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec:\n  path: ./kubernetes/apps/media/immich/app\n",
    // the rest of a disabled app: a manifest beside its ks.yaml, which a task applies by hand, and its app dir
    "kubernetes/apps/media/immich/instance.yaml":
      "apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\n",
    "kubernetes/apps/media/immich/app/kustomization.yaml": "resources: []\n",
    "kubernetes/apps/media/immich/app/stray.yaml": "apiVersion: v1\nkind: ConfigMap\n",
    "kubernetes/apps/media/old/kustomization.yaml": "resources: []\n",
    [`${app}/kustomization.yaml`]: [
      "resources:\n  - ./helmrelease.yaml\n  # - ./pvc.yaml",
      "configurations:\n  - ./kustomizeconfig.yaml",
      "transformers:\n  - ./transformers",
      "helmCharts:\n  - name: x\n    valuesFile: ./chart-values.yaml\n",
    ].join("\n"),
    [`${app}/helmrelease.yaml`]: "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n",
    [`${app}/pvc.yaml`]: "apiVersion: v1\nkind: PersistentVolumeClaim\n",
    [`${app}/kustomizeconfig.yaml`]: "nameReference:\n  - kind: ConfigMap\n",
    [`${app}/transformers/kustomization.yaml`]: "resources: []\n",
    [`${app}/chart-values.yaml`]: "replicas: 1\n",
    // not manifests: values, application config, scripts, logs, promtool tests, Talos patches, helmfile
    [`${app}/values.yaml`]: "image:\n  tag: 1.0\n",
    [`${app}/config/settings.yaml`]: "server:\n  port: 8080\n",
    [`${app}/scripts/repair.sh`]: "#!/bin/sh\necho\n",
    [`${app}/debug.log`]: "x\n",
    [`${app}/prometheusrule_test.yaml`]: "rule_files: [a.yaml]\ntests: []\n",
    [`${app}/talos-patch.yaml`]: "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: a\n",
    [`${app}/helmfile.yaml`]: "releases:\n  - name: cilium\n",
    // applied by a bootstrap task (sops -d | kubectl apply), not by Flux
    "kubernetes/bootstrap/flux/kustomization.yaml": "resources:\n  - ./github-deploy-key.sops.yaml\n",
    "kubernetes/bootstrap/flux/age-key.sops.yaml": "apiVersion: v1\nkind: Secret\n",
    // a manifest nobody lists: reported, as a warning
    [`${app}/externalsecret.yaml`]: "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\n",
    // named by tools: a script applies one by hand, a helmfile template reads the other
    [`${app}/migration/cluster-green.yaml`]: "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\n",
    "scripts/migrate.sh":
      '#!/bin/sh\nDIR="${ROOT}/kubernetes/apps/media/plex/app/migration"\nkubectl apply -f "${DIR}/cluster-green.yaml"\n',
    [`${app}/flux-secret.yaml`]: "apiVersion: v1\nkind: Secret\n",
    "bootstrap/helmfile.d/flux.yaml.gotmpl":
      '{{ readFile "../../kubernetes/apps/media/plex/app/flux-secret.yaml" }}\n',
  };
  it("counts configurations, transformers and Helm values files as references; only manifests can be forgotten", () => {
    expect(check("flux/unreferenced-file", files)).toEqual([
      // inside the disabled app's own directory, a forgotten entry is still one
      "kubernetes/apps/media/immich/app/stray.yaml:1:1 kubernetes/apps/media/immich/app/stray.yaml is not referenced by kubernetes/apps/media/immich/app/kustomization.yaml (or any kustomization file): it is never applied",
      `${app}/externalsecret.yaml:1:1 ${app}/externalsecret.yaml is not referenced by ${app}/kustomization.yaml (or any kustomization file): it is never applied`,
      `${app}/flux-secret.yaml:1:1 ${app}/flux-secret.yaml is not referenced by ${app}/kustomization.yaml (or any kustomization file), but bootstrap/helmfile.d/flux.yaml.gotmpl names it: a tool may apply or read it, cannot tell`,
      `${app}/migration/cluster-green.yaml:1:1 ${app}/migration/cluster-green.yaml is not referenced by ${app}/kustomization.yaml (or any kustomization file), but scripts/migrate.sh names it: a tool may apply or read it, cannot tell`,
    ]);
  });
  it("leaves entries that are commented out alone (a deliberate omission)", () => {
    expect(check("flux/unwired-app", files)).toEqual([]);
  });
  it("reports forgotten manifests as warnings", () => {
    const report = checkInvariants(
      { files: new Map(Object.entries(files)) },
      { only: ["flux/unreferenced-file"] },
    );
    expect(report.findings.map((f) => f.severity)).toEqual(["warning", "warning", "info", "info"]);
  });
});

describe("secrets/plaintext-secret and secrets/leaked-key: references and headers are not secrets", () => {
  const secret = (data: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n${data}`;
  it("passes secret-manager references, placeholders, templates and empty values", () => {
    expect(
      check("secrets/plaintext-secret", {
        "bootstrap/op.yaml": secret(
          "  token: op://kubernetes/1password/OP_CONNECT_TOKEN\n  json: |\n    op://vault/item/field\n",
        ),
        "bootstrap/vals.yaml": secret(
          "  a: ref+vault://secret/data/x#/y\n  b: vault:secret/data/x#y\n  c: <path:kv/data/x#y>\n",
        ),
        "kubernetes/ph.yaml": secret('  a: ${SECRET_TOKEN}\n  b: "{{ .token }}"\n  c: ""\n'),
        "kubernetes/b64.yaml": `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: ${Buffer.from("op://v/i/f").toString("base64")}\n`,
      }),
    ).toEqual([]);
  });
  it("still reports a literal password next to them", () => {
    expect(
      check("secrets/plaintext-secret", { "kubernetes/s.yaml": secret("  a: op://v/i/f\n  b: hunter2\n") }),
    ).toEqual(["kubernetes/s.yaml:5:1 Secret s has stringData in plaintext (no SOPS encryption)"]);
  });
  it("needs key material after a PEM header, not the header alone", () => {
    expect(
      check("secrets/leaked-key", {
        "infra/secrets.auto.tfvars.dist": `ssh_private_key = <<-EOT\n  -----BEGIN ${"OPENSSH"} PRIVATE KEY-----\n  ...\nEOT\n`,
        "scripts/gen.sh": `grep -q "BEGIN ${"RSA"} PRIVATE KEY" key.pem\necho "-----BEGIN ${"EC"} PRIVATE KEY-----"\n`,
      }),
    ).toEqual([]);
  });
});

describe("flux/unwired-app for directories", () => {
  it("reports a namespace directory the apps kustomization.yaml does not list", () => {
    expect(
      check("flux/unwired-app", {
        "kubernetes/apps/kustomization.yaml": "resources:\n  - ./games\n",
        "kubernetes/apps/games/kustomization.yaml": "resources:\n  - ./romm/ks.yaml\n",
        "kubernetes/apps/games/romm/ks.yaml": "kind: Kustomization\n",
        "kubernetes/apps/media/kustomization.yaml": "resources:\n  - ./plex/ks.yaml\n",
        "kubernetes/apps/media/plex/ks.yaml": "kind: Kustomization\n",
        "kubernetes/components/common/kustomization.yaml": "kind: Component\n",
      }),
    ).toEqual([
      "kubernetes/apps/kustomization.yaml:1:1 kubernetes/apps/media is not listed in kubernetes/apps/kustomization.yaml: Flux never applies it",
    ]);
  });
});

describe("gitops/kubectl-apply", () => {
  it("flags applies of app manifests in Taskfiles and scripts, not bootstrap applies or comments", () => {
    expect(
      check("gitops/kubectl-apply", {
        ".taskfiles/k8s/Taskfile.yaml": [
          "tasks:",
          "  a:",
          "    cmds:",
          "      - kubectl apply --server-side -f {{.KUBERNETES_DIR}}/apps/games/romm/app/helmrelease.yaml",
          "      - kubectl apply --server-side -k {{.KUBERNETES_DIR}}/bootstrap",
          "      # kubectl apply -k kubernetes/apps/x",
          "",
        ].join("\n"),
        "scripts/hack.sh": "kustomize build kubernetes/apps/games | kubectl apply -f -\n",
        "README.md": "never run kubectl apply -k kubernetes/apps\n",
      }),
    ).toEqual([
      ".taskfiles/k8s/Taskfile.yaml:4:9 kubectl apply of manifests under kubernetes/apps",
      "scripts/hack.sh:1:41 kubectl apply of manifests under kubernetes/apps",
    ]);
  });
});

describe("docs/stale-reference", () => {
  it("checks relative links (with #L line ranges) and path-like code spans; leaves URLs, fences and non-paths alone", () => {
    expect(
      check("docs/stale-reference", {
        "docs/guide.md": [
          "See [the app](../kubernetes/app.yaml#L1-L2) and [gone](../kubernetes/gone.yaml).",
          "Lines `kubernetes/app.yaml:2-9` and `kubernetes/app.yaml:1-2` and `kubernetes/missing.yaml`.",
          "Not paths: `helm.toolkit.fluxcd.io/v2`, `docs/stale-reference`, `a/b`, [site](https://example.com/x), [top](#intro).",
          "```sh",
          "cat kubernetes/also-missing.yaml `kubernetes/missing-too.yaml`",
          "```",
          "",
        ].join("\n"),
        "kubernetes/app.yaml": "a: 1\nb: 2\n",
        "CHANGELOG.md": "- removed `kubernetes/old.yaml`\n",
      }),
    ).toEqual([
      "docs/guide.md:1:56 link target ../kubernetes/gone.yaml does not exist",
      "docs/guide.md:2:8 `kubernetes/app.yaml:2-9`: kubernetes/app.yaml has 3 lines",
      "docs/guide.md:2:68 `kubernetes/missing.yaml` does not exist",
    ]);
  });
});

describe("placeholder/config-literal", () => {
  it("finds literal config values in manifests, not in SOPS files or outside the manifests directory", () => {
    const literals = [{ name: "cluster.domain", value: "home.example.dev" }];
    expect(
      check(
        "placeholder/config-literal",
        {
          "kubernetes/apps/a/route.yaml":
            "spec:\n  hostnames:\n    - app.Home.Example.dev\n    - app.${SECRET_DOMAIN}\n",
          "kubernetes/apps/a/s.sops.yaml": "stringData:\n  D: home.example.dev\n",
          "bootstrap/config.yaml": "cluster:\n  domain: home.example.dev\n",
        },
        literals,
      ),
    ).toEqual([
      "kubernetes/apps/a/route.yaml:3:11 literal cluster.domain value 'home.example.dev' in a manifest",
    ]);
  });
});

describe("storage/nfs-literal", () => {
  it("checks nfs volumes, app-template nfs persistence and NFS StorageClasses", () => {
    expect(
      check("storage/nfs-literal", {
        "kubernetes/a.yaml": [
          "kind: HelmRelease",
          "spec:",
          "  values:",
          "    persistence:",
          "      media:",
          "        type: nfs",
          "        server: ${NFS_SERVER}",
          "        path: /export/media",
          "---",
          "kind: StorageClass",
          "provisioner: nfs.csi.k8s.io",
          "parameters:",
          "  server: 10.0.0.5",
          "  share: ${NFS_SHARE}",
          "",
        ].join("\n"),
      }),
    ).toEqual([
      "kubernetes/a.yaml:8:15 NFS path '/export/media' is a literal",
      "kubernetes/a.yaml:13:11 NFS server '10.0.0.5' is a literal",
    ]);
  });
});

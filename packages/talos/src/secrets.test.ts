import "reflect-metadata";
import { createPublicKey, X509Certificate as NodeX509 } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connect, createServer } from "node:tls";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import { haveOracle, v113 } from "./internal/oracle.testkit.js";
import {
  adminCertificateValidityMs,
  bootstrapTokenPattern,
  caValidityMs,
  generateSecretsBundle,
  generateTalosCA,
  issueOsCertificate,
  keyObjectFromPem,
  nodeKeyPem,
  parseSecretsBundle,
  pemOf,
  type SecretsBundle,
  SecretsBundleError,
  stringifySecretsBundle,
} from "./secrets.js";

let bundle: SecretsBundle;
const now = new Date("2026-12-01T10:00:00Z");
beforeAll(async () => {
  bundle = await generateSecretsBundle({ now: new Date(now) });
}, 60_000);

const cert = (b64: string) => new x509.X509Certificate(pemOf(b64));

describe("generateSecretsBundle", () => {
  it("OS CA: Ed25519, O=talos, PEM label ED25519 PRIVATE KEY", () => {
    const c = cert(bundle.certs.os.crt);
    expect(c.subject).toBe("O=talos");
    expect(c.publicKey.algorithm.name).toBe("Ed25519");
    expect(pemOf(bundle.certs.os.key)).toMatch(/^-----BEGIN ED25519 PRIVATE KEY-----\n/);
    expect(keyObjectFromPem(pemOf(bundle.certs.os.key)).asymmetricKeyType).toBe("ed25519");
  });

  it("etcd, Kubernetes and aggregator CAs: ECDSA P-256 (SEC1 EC PRIVATE KEY); aggregator subject empty", () => {
    for (const [name, subject] of [
      ["etcd", "O=etcd"],
      ["k8s", "O=kubernetes"],
      ["k8sAggregator", ""],
    ] as const) {
      const c = cert(bundle.certs[name].crt);
      expect(c.subject, name).toBe(subject);
      expect(c.publicKey.algorithm.name, name).toBe("ECDSA");
      expect((c.publicKey.algorithm as { namedCurve?: string }).namedCurve, name).toBe("P-256");
      expect(pemOf(bundle.certs[name].key), name).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
      const key = keyObjectFromPem(pemOf(bundle.certs[name].key));
      expect(key.asymmetricKeyDetails?.namedCurve, name).toBe("prime256v1");
    }
  });

  it("every CA is self-signed, a CA (basicConstraints critical), valid 87600h", async () => {
    for (const name of ["etcd", "k8s", "k8sAggregator", "os"] as const) {
      const c = cert(bundle.certs[name].crt);
      expect(await c.isSelfSigned(), name).toBe(true);
      const bc = c.getExtension(x509.BasicConstraintsExtension);
      expect(bc?.ca && bc.critical, name).toBe(true);
      const ku = c.getExtension(x509.KeyUsagesExtension);
      expect(ku && (ku.usages & x509.KeyUsageFlags.keyCertSign) !== 0, name).toBe(true);
      expect(c.notAfter.getTime() - c.notBefore.getTime(), name).toBe(caValidityMs);
      expect(c.notBefore.getTime(), name).toBe(now.getTime());
      expect(new NodeX509(pemOf(bundle.certs[name].crt)).ca, name).toBe(true);
    }
  });

  it("service account: RSA-4096 PKCS#1", () => {
    const pem = pemOf(bundle.certs.k8sServiceAccount.key);
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(keyObjectFromPem(pem).asymmetricKeyDetails?.modulusLength).toBe(4096);
  });

  it("tokens, cluster secret, secretbox key and cluster id", () => {
    expect(bundle.bootstrapToken).toMatch(bootstrapTokenPattern);
    expect(bundle.trustdToken).toMatch(bootstrapTokenPattern);
    expect(Buffer.from(bundle.cluster.secret, "base64")).toHaveLength(32);
    expect(bundle.cluster.secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(bundle.secretboxEncryptionSecret ?? "", "base64")).toHaveLength(32);
    expect(bundle.cluster.id).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(Buffer.from(bundle.cluster.id, "base64url")).toHaveLength(32);
  });

  it("round-trips through secrets.yaml", () => {
    expect(parseSecretsBundle(stringifySecretsBundle(bundle))).toEqual(bundle);
  });
});

describe("admin certificate", () => {
  it("O=os:admin, client auth, chains to the OS CA, 1 year", async () => {
    const admin = await issueOsCertificate(bundle, { notBefore: now, deriveFrom: "admin" });
    const c = new x509.X509Certificate(admin.crt);
    expect(c.subject).toBe("O=os:admin");
    expect(c.issuer).toBe("O=talos");
    expect(await c.verify({ publicKey: cert(bundle.certs.os.crt).publicKey, signatureOnly: true })).toBe(
      true,
    );
    expect(c.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([
      x509.ExtendedKeyUsage.clientAuth,
    ]);
    expect(c.notAfter.getTime() - c.notBefore.getTime()).toBe(adminCertificateValidityMs);
    const chain = await new x509.X509ChainBuilder({ certificates: [cert(bundle.certs.os.crt)] }).build(c);
    expect(chain.map((x) => x.subject)).toEqual(["O=os:admin", "O=talos"]);
  });

  it("derived from the bundle: issuing twice gives the same bytes", async () => {
    const a = await issueOsCertificate(bundle, { notBefore: now, deriveFrom: "admin" });
    const b = await issueOsCertificate(bundle, { notBefore: now, deriveFrom: "admin" });
    expect(a).toEqual(b);
  });

  it("completes a mutual TLS 1.3 handshake against a server certificate from the same CA (127.0.0.1)", async () => {
    const ca = pemOf(bundle.certs.os.crt);
    const server = await issueOsCertificate(bundle, {
      organizations: ["os:server"],
      serverNames: ["127.0.0.1"],
    });
    const admin = await issueOsCertificate(bundle, { deriveFrom: "admin" });
    const srv = createServer(
      {
        cert: server.crt,
        key: nodeKeyPem(server.key),
        ca,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: "TLSv1.3",
      },
      (socket) => {
        const peer = socket.getPeerCertificate();
        socket.end(`hello ${peer.subject?.O}`);
      },
    );
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    const port = (srv.address() as { port: number }).port;
    try {
      const result = await new Promise<{ data: string; protocol: string | null; authorized: boolean }>(
        (resolve, reject) => {
          const socket = connect({
            host: "127.0.0.1",
            port,
            ca,
            cert: admin.crt,
            key: nodeKeyPem(admin.key),
            minVersion: "TLSv1.3",
            servername: "",
            checkServerIdentity: () => undefined,
          });
          let data = "";
          socket.on("data", (d) => {
            data += d.toString();
          });
          socket.on("end", () =>
            resolve({ data, protocol: socket.getProtocol(), authorized: socket.authorized }),
          );
          socket.on("error", reject);
        },
      );
      expect(result).toEqual({ data: "hello os:admin", protocol: "TLSv1.3", authorized: true });
    } finally {
      srv.close();
    }
  });

  it("a certificate from another CA is refused by the server", async () => {
    const other: SecretsBundle = { ...bundle, certs: { ...bundle.certs, os: await generateTalosCA() } };
    const ca = pemOf(bundle.certs.os.crt);
    const server = await issueOsCertificate(bundle, {
      organizations: ["os:server"],
      serverNames: ["127.0.0.1"],
    });
    const stranger = await issueOsCertificate(other);
    const srv = createServer(
      { cert: server.crt, key: nodeKeyPem(server.key), ca, requestCert: true, rejectUnauthorized: true },
      (s) => s.end("should not get here"),
    );
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    const port = (srv.address() as { port: number }).port;
    try {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({
          host: "127.0.0.1",
          port,
          ca,
          cert: stranger.crt,
          key: nodeKeyPem(stranger.key),
          checkServerIdentity: () => undefined,
        });
        let data = "";
        socket.on("data", (d) => {
          data += d.toString();
        });
        socket.on("error", (e) => resolve(`error: ${e.message}`));
        socket.on("close", () => resolve(data === "" ? "closed" : data));
      });
      expect(outcome).not.toBe("should not get here");
    } finally {
      srv.close();
    }
  }, 60_000);
});

describe.skipIf(!haveOracle)(`the oracle's bundles (${join(v113, "secrets")})`, () => {
  const read = (f: string) => readFileSync(join(v113, "secrets", f), "utf8");
  it("secrets.yaml loads, byte-equal when written back", () => {
    const b = parseSecretsBundle(read("secrets.yaml"));
    expect(b.bootstrapToken).toMatch(bootstrapTokenPattern);
    expect(createPublicKey(keyObjectFromPem(pemOf(b.certs.os.key))).asymmetricKeyType).toBe("ed25519");
    const text = read("secrets.yaml");
    expect(stringifySecretsBundle(b)).toBe(text.replace(/^#.*\n/gm, ""));
  });
  it("invalid-secrets.yaml is refused, naming each problem", () => {
    let error: unknown;
    try {
      parseSecretsBundle(read("invalid-secrets.yaml"));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SecretsBundleError);
    const problems = (error as SecretsBundleError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        "cluster.secret is required",
        "one of [secrets.secretboxencryptionsecret, secrets.aescbcencryptionsecret] is required",
        "trustdinfo is required",
      ]),
    );
    expect(problems.some((p) => p.startsWith("certs.etcd is invalid"))).toBe(true);
    expect(problems.some((p) => p.startsWith("certs.os is invalid"))).toBe(true);
  });
});

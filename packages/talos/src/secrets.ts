import {
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  webcrypto,
  X509Certificate,
} from "node:crypto";
import type * as X509 from "@peculiar/x509";
import { isMap, isScalar, parseDocument } from "yaml";
import { emitYaml, type YNode } from "./internal/go-value.js";

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;
type EcKeyImportParams = webcrypto.EcKeyImportParams;
type EcdsaParams = webcrypto.EcdsaParams;

let x509Module: Promise<typeof X509> | undefined;
/** @peculiar/x509 (with reflect-metadata first) only when a certificate is made: reading a bundle needs neither. */
function loadX509(): Promise<typeof X509> {
  x509Module ??= (async () => {
    await import("reflect-metadata");
    const x509 = await import("@peculiar/x509");
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return x509;
  })();
  return x509Module;
}

/** A certificate and (optionally) its key; both as base64 of the PEM text, the way Talos stores them. */
export interface PemPair {
  crt: string;
  key: string;
}

/** talosctl's `secrets.yaml` (generate/secrets.Bundle), values exactly as stored. */
export interface SecretsBundle {
  cluster: { id: string; secret: string };
  bootstrapToken: string;
  secretboxEncryptionSecret?: string;
  aescbcEncryptionSecret?: string;
  trustdToken: string;
  certs: {
    etcd: PemPair;
    k8s: PemPair;
    k8sAggregator: PemPair;
    k8sServiceAccount: { key: string };
    os: PemPair;
  };
}

/** A bundle that failed to load: every problem, worded like Talos' bundle validation. */
export class SecretsBundleError extends Error {
  override name = "SecretsBundleError";
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

const tokenRe = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

/** Parse a `secrets.yaml` (talosctl gen secrets / talhelper gensecret) and validate it as Talos does. */
export function parseSecretsBundle(text: string): SecretsBundle {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new SecretsBundleError([`not YAML: ${doc.errors[0]?.message}`]);
  const root = doc.toJS() as Record<string, Record<string, unknown> | undefined> | null;
  if (!root || typeof root !== "object" || !isMap(doc.contents))
    throw new SecretsBundleError([
      "not a secrets bundle (a mapping with cluster, secrets, trustdinfo, certs)",
    ]);
  const str = (v: unknown) => (typeof v === "string" ? v : isScalar(v) ? String(v) : "");
  const problems: string[] = [];
  const cluster = root.cluster;
  if (!cluster) problems.push("cluster is required");
  else {
    if (!cluster.id) problems.push("cluster.id is required");
    if (!cluster.secret) problems.push("cluster.secret is required");
  }
  const secrets = root.secrets;
  if (!secrets) problems.push("secrets is required");
  else {
    if (!secrets.bootstraptoken) problems.push("secrets.bootstraptoken is required");
    if (!secrets.aescbcencryptionsecret && !secrets.secretboxencryptionsecret)
      problems.push("one of [secrets.secretboxencryptionsecret, secrets.aescbcencryptionsecret] is required");
    if (secrets.aescbcencryptionsecret && secrets.secretboxencryptionsecret)
      problems.push(
        "only one of [secrets.secretboxencryptionsecret, secrets.aescbcencryptionsecret] is allowed",
      );
  }
  const trustd = root.trustdinfo;
  if (!trustd) problems.push("trustdinfo is required");
  else if (!trustd.token) problems.push("trustdinfo.token is required");
  const certs = root.certs as Record<string, Record<string, unknown> | undefined> | undefined;
  const pair = (name: string): PemPair => {
    const p = certs?.[name];
    if (!p) {
      problems.push(`certs.${name} is required`);
      return { crt: "", key: "" };
    }
    const out = { crt: str(p.crt), key: str(p.key) };
    const problem = checkPair(out);
    if (problem) problems.push(`certs.${name} is invalid: ${problem}`);
    return out;
  };
  if (!certs) problems.push("certs is required");
  const etcd = pair("etcd");
  const k8s = pair("k8s");
  const k8sAggregator = pair("k8saggregator");
  const os = pair("os");
  const sa = certs?.k8sserviceaccount;
  if (!sa) problems.push("certs.k8sserviceaccount is required");
  else {
    const problem = checkKey(str(sa.key));
    if (problem) problems.push(`certs.k8sserviceaccount.key is invalid: ${problem}`);
  }
  if (problems.length > 0) throw new SecretsBundleError(problems);
  const bundle: SecretsBundle = {
    cluster: { id: str(cluster?.id), secret: str(cluster?.secret) },
    bootstrapToken: str(secrets?.bootstraptoken),
    trustdToken: str(trustd?.token),
    certs: { etcd, k8s, k8sAggregator, os, k8sServiceAccount: { key: str(sa?.key) } },
  };
  if (secrets?.secretboxencryptionsecret)
    bundle.secretboxEncryptionSecret = str(secrets.secretboxencryptionsecret);
  if (secrets?.aescbcencryptionsecret) bundle.aescbcEncryptionSecret = str(secrets.aescbcencryptionsecret);
  return bundle;
}

/** Node reads Ed25519 keys from PKCS#8 PEM (`PRIVATE KEY`); Talos labels them `ED25519 PRIVATE KEY`. */
export function nodeKeyPem(pem: string): string {
  return pem.replace(/-----(BEGIN|END) ED25519 PRIVATE KEY-----/g, "-----$1 PRIVATE KEY-----");
}

/** A Node key object from a Talos PEM key (Ed25519 relabelled, EC SEC1, RSA PKCS#1 or PKCS#8). */
export function keyObjectFromPem(pem: string): KeyObject {
  return createPrivateKey(nodeKeyPem(pem));
}

function checkKey(keyB64: string): string | undefined {
  if (!keyB64) return "key is empty";
  try {
    keyObjectFromPem(unb64(keyB64));
    return undefined;
  } catch (e) {
    return `failed to parse the key: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function checkPair(p: PemPair): string | undefined {
  const keyProblem = checkKey(p.key);
  if (keyProblem) return keyProblem;
  try {
    new X509Certificate(unb64(p.crt));
  } catch (e) {
    return `failed to parse the certificate: ${e instanceof Error ? e.message : String(e)}`;
  }
  return undefined;
}

/** The bundle as talosctl writes `secrets.yaml` (yaml.v4, 4-space indent). */
export function stringifySecretsBundle(b: SecretsBundle): string {
  const s = (text: string): YNode => ({ k: "scalar", text });
  const pairNode = (p: PemPair): YNode => ({
    k: "map",
    entries: [
      ["crt", s(p.crt)],
      ["key", s(p.key)],
    ],
  });
  const secrets: [string, YNode][] = [["bootstraptoken", s(b.bootstrapToken)]];
  if (b.aescbcEncryptionSecret) secrets.push(["aescbcencryptionsecret", s(b.aescbcEncryptionSecret)]);
  if (b.secretboxEncryptionSecret)
    secrets.push(["secretboxencryptionsecret", s(b.secretboxEncryptionSecret)]);
  return emitYaml({
    k: "map",
    entries: [
      [
        "cluster",
        {
          k: "map",
          entries: [
            ["id", s(b.cluster.id)],
            ["secret", s(b.cluster.secret)],
          ],
        },
      ],
      ["secrets", { k: "map", entries: secrets }],
      ["trustdinfo", { k: "map", entries: [["token", s(b.trustdToken)]] }],
      [
        "certs",
        {
          k: "map",
          entries: [
            ["etcd", pairNode(b.certs.etcd)],
            ["k8s", pairNode(b.certs.k8s)],
            ["k8saggregator", pairNode(b.certs.k8sAggregator)],
            ["k8sserviceaccount", { k: "map", entries: [["key", s(b.certs.k8sServiceAccount.key)]] }],
            ["os", pairNode(b.certs.os)],
          ],
        },
      ],
    ],
  });
}

// ------------------------------------------------------------------ generation

/** CAs are valid 87600h (10 years), as Talos' secrets.CAValidityTime. */
export const caValidityMs = 87600 * 3600 * 1000;
/** talosctl's admin client certificate lifetime (constants.TalosAPIDefaultCertificateValidityDuration: 1 year). */
export const adminCertificateValidityMs = 365 * 24 * 3600 * 1000;

const bootstrapChars = "0123456789abcdefghijklmnopqrstuvwxyz";

/** `[a-z0-9]{6}.[a-z0-9]{16}` from unbiased random bytes (Talos rejects bytes ≥ 252). */
export function generateToken(random: (n: number) => Buffer = randomBytes): string {
  const pick = (n: number) => {
    let out = "";
    while (out.length < n) {
      for (const b of random(n * 2)) {
        if (b >= 252) continue;
        out += bootstrapChars[b % 36];
        if (out.length === n) break;
      }
    }
    return out;
  };
  return `${pick(6)}.${pick(16)}`;
}

function serial(bytes = randomBytes(16)): string {
  const b = Buffer.from(bytes);
  b[0] = (b[0] as number) & 0x7f;
  if (b[0] === 0) b[0] = 1;
  return b.toString("hex");
}

const toPem = (label: string, der: ArrayBuffer | Buffer) => {
  const body = Buffer.from(der as ArrayBuffer)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
};

interface KeyPair {
  cryptoKeys: CryptoKeyPair;
  pem: string;
}

async function webKeys(
  privateKey: KeyObject,
  algorithm: Algorithm | EcKeyImportParams,
): Promise<CryptoKeyPair> {
  const subtle = webcrypto.subtle;
  const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
  const spki = (await import("node:crypto"))
    .createPublicKey(privateKey)
    .export({ type: "spki", format: "der" });
  const priv = await subtle.importKey("pkcs8", pkcs8, algorithm, true, ["sign"]);
  const pub = await subtle.importKey("spki", spki, algorithm, true, ["verify"]);
  return { privateKey: priv, publicKey: pub } as CryptoKeyPair;
}

const ecdsa = { name: "ECDSA", namedCurve: "P-256" } as EcKeyImportParams;
const ed25519 = { name: "Ed25519" } as Algorithm;

async function newEcdsaKey(): Promise<KeyPair> {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    cryptoKeys: await webKeys(privateKey, ecdsa),
    pem: privateKey.export({ type: "sec1", format: "pem" }) as string,
  };
}

async function ed25519Key(seed?: Buffer): Promise<KeyPair> {
  const privateKey = seed
    ? createPrivateKey({
        key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]),
        format: "der",
        type: "pkcs8",
      })
    : generateKeyPairSync("ed25519").privateKey;
  const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
  return { cryptoKeys: await webKeys(privateKey, ed25519), pem: toPem("ED25519 PRIVATE KEY", pkcs8) };
}

async function selfSignedCA(name: string, key: KeyPair, alg: Algorithm, now: Date): Promise<string> {
  const x509 = await loadX509();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore: now,
    notAfter: new Date(now.getTime() + caValidityMs),
    signingAlgorithm: alg,
    keys: key.cryptoKeys,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.BasicConstraintsExtension(true, undefined, true),
      await x509.SubjectKeyIdentifierExtension.create(key.cryptoKeys.publicKey),
    ],
  });
  return cert.toString("pem");
}

/** A new OS (Talos API) CA: Ed25519, O=talos, 10 years. */
export async function generateTalosCA(at = new Date()): Promise<PemPair> {
  const now = new Date(at);
  now.setUTCMilliseconds(0);
  const key = await ed25519Key();
  return { crt: b64(await selfSignedCA("O=talos", key, ed25519, now)), key: b64(key.pem) };
}

export interface GenerateSecretsOptions {
  /** generation time (CA notBefore); default now */
  now?: Date;
}

/** A new bundle exactly as `talosctl gen secrets` makes it for a Talos ≥ 1.7 contract. */
export async function generateSecretsBundle(options: GenerateSecretsOptions = {}): Promise<SecretsBundle> {
  // Go's x509 truncates to seconds
  const now = new Date(options.now ?? new Date());
  now.setUTCMilliseconds(0);
  const ecdsaSign = { name: "ECDSA", hash: "SHA-256" } as EcdsaParams;
  const etcdKey = await newEcdsaKey();
  const k8sKey = await newEcdsaKey();
  const aggKey = await newEcdsaKey();
  const sa = generateKeyPairSync("rsa", { modulusLength: 4096 }).privateKey;
  const pair = (crt: string, key: string): PemPair => ({ crt: b64(crt), key: b64(key) });
  return {
    cluster: {
      // Go's base64.URLEncoding keeps the padding
      id: `${randomBytes(32).toString("base64url")}=`,
      secret: randomBytes(32).toString("base64"),
    },
    bootstrapToken: generateToken(),
    secretboxEncryptionSecret: randomBytes(32).toString("base64"),
    trustdToken: generateToken(),
    certs: {
      etcd: pair(await selfSignedCA("O=etcd", etcdKey, ecdsaSign, now), etcdKey.pem),
      k8s: pair(await selfSignedCA("O=kubernetes", k8sKey, ecdsaSign, now), k8sKey.pem),
      k8sAggregator: pair(await selfSignedCA("", aggKey, ecdsaSign, now), aggKey.pem),
      k8sServiceAccount: { key: b64(sa.export({ type: "pkcs1", format: "pem" }) as string) },
      os: await generateTalosCA(now),
    },
  };
}

/** A certificate and key issued by the bundle's OS CA. */
export interface IssuedCertificate {
  /** PEM */
  crt: string;
  /** PEM (Talos' `ED25519 PRIVATE KEY` label) */
  key: string;
}

export interface IssueOptions {
  /** certificate organisations (roles), default ["os:admin"] */
  organizations?: string[];
  /** notBefore; default now */
  notBefore?: Date;
  validityMs?: number;
  /** server certificate (for tests of the chain): adds serverAuth and these SANs */
  serverNames?: string[];
  /** deterministic key and serial: derived from the CA key and this label */
  deriveFrom?: string;
}

/** An Ed25519 client (or server) certificate signed by the OS CA, like talosctl's admin certificate. */
export async function issueOsCertificate(
  bundle: SecretsBundle,
  options: IssueOptions = {},
): Promise<IssuedCertificate> {
  const caPem = unb64(bundle.certs.os.crt);
  const caKeyObject = keyObjectFromPem(unb64(bundle.certs.os.key));
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(caPem);
  const caKeys = await webKeys(caKeyObject, ed25519);
  const derived =
    options.deriveFrom !== undefined
      ? createHmac("sha256", caKeyObject.export({ type: "pkcs8", format: "der" }))
          .update(`homeops/${options.deriveFrom}`)
          .digest()
      : undefined;
  const key = await ed25519Key(derived);
  const notBefore = new Date(options.notBefore ?? new Date());
  notBefore.setUTCMilliseconds(0);
  const server = options.serverNames !== undefined;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(
      derived ? createHmac("sha256", derived).update("serial").digest().subarray(0, 16) : undefined,
    ),
    subject: (options.organizations ?? ["os:admin"]).map((o) => `O=${o}`).join(", "),
    issuer: caCert.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.validityMs ?? adminCertificateValidityMs)),
    signingAlgorithm: ed25519,
    publicKey: key.cryptoKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(
        server ? [x509.ExtendedKeyUsage.serverAuth] : [x509.ExtendedKeyUsage.clientAuth],
      ),
      ...(server
        ? [
            new x509.SubjectAlternativeNameExtension(
              (options.serverNames ?? []).map((n) =>
                /^[\d.]+$/.test(n) ? { type: "ip", value: n } : { type: "dns", value: n },
              ),
            ),
          ]
        : []),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
    ],
  });
  return { crt: cert.toString("pem"), key: key.pem };
}

/** Decode one of the bundle's base64-of-PEM values. */
export function pemOf(value: string): string {
  return unb64(value);
}

export { tokenRe as bootstrapTokenPattern };

import type { ErrorCode } from "@homeops/core";

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "EPROTO",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** `refused` (never reached the server), `dropped` (reset, timeout) or undefined (not transient). */
export function transientNetworkError(error: unknown): "refused" | "dropped" | undefined {
  const code = codeOf(error);
  if (code === "ECONNREFUSED" || code === "EAI_AGAIN") return "refused";
  if (code === "ECONNRESET" || code === "ETIMEDOUT" || code === "EPIPE" || code === "ECONNABORTED") {
    return "dropped";
  }
  return undefined;
}

/** 429 Too Many Requests and the 5xx answers an API server gives while starting or overloaded. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** A network-level failure in words, without anything from the request (no headers, no token). */
export function describeNetworkError(
  error: unknown,
  server: string,
): { code: ErrorCode; message: string; hint: string } {
  const code = codeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code && TLS_CODES.has(code)) {
    return {
      code: "CLUSTER_TLS",
      message: `TLS failure talking to ${server} (${code}: ${detail})`,
      hint: "the server certificate does not match the kubeconfig's certificate-authority-data (or the server name); regenerate the kubeconfig for this cluster",
    };
  }
  if (code === "ETIMEDOUT") {
    return {
      code: "CLUSTER_TIMEOUT",
      message: `the API server at ${server} did not answer in time (${detail})`,
      hint: "the API server is overloaded or unreachable; raise --request-timeout or check the network path to it",
    };
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return {
      code: "CLUSTER_UNREACHABLE",
      message: `cannot resolve the API server host of ${server} (${code})`,
      hint: "check the `server:` of the kubeconfig's cluster and your DNS",
    };
  }
  return {
    code: "CLUSTER_UNREACHABLE",
    message: `cannot reach the API server at ${server} (${code ?? detail})`,
    hint: "is the cluster up and is this the right kubeconfig/context? (`kubectl cluster-info`)",
  };
}

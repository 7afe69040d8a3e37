/** GETs a remote kustomize input (only with `allowNetwork`); any failure is `undefined`, reported by the caller. */
export async function fetchRemoteText(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url);
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

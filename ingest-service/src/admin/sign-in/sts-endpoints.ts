/** An allowlisted STS endpoint the service may send a rebuilt GetCallerIdentity to. */
export interface StsEndpoint {
  /** Scheme + host + port, e.g. https://sts.eu-west-1.amazonaws.com */
  origin: string;
  /** Host header value (host, plus port when not the scheme's default). */
  host: string;
}

const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d{1,2}';

/**
 * Matches a client-signed Host against the allowlist (admin.aws.stsEndpoints). `{region}` in an
 * entry stands for any AWS region name, so `https://sts.{region}.amazonaws.com` admits every regional
 * endpoint and nothing else. Returns the endpoint to call, built from the CONFIG (scheme included),
 * never from what the client sent; undefined when the host is not allowlisted.
 */
export function createStsAllowlist(entries: readonly string[]): (host: string) => StsEndpoint | undefined {
  const matchers = entries.map((entry) => {
    const scheme = entry.startsWith('https:') ? 'https' : 'http';
    const hostPart = entry.replace(/^https?:\/\//, '').replace(/\/$/, '').toLowerCase();
    const defaultPort = scheme === 'https' ? ':443' : ':80';
    const bare = hostPart.endsWith(defaultPort) ? hostPart.slice(0, -defaultPort.length) : hostPart;
    const pattern = new RegExp(`^${bare.split('{region}').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join(REGION)}$`);
    return { scheme, pattern };
  });
  return (host) => {
    const h = host.trim().toLowerCase();
    for (const m of matchers) {
      const defaultPort = m.scheme === 'https' ? ':443' : ':80';
      const bare = h.endsWith(defaultPort) ? h.slice(0, -defaultPort.length) : h;
      if (m.pattern.test(bare)) return { origin: `${m.scheme}://${bare}`, host: h };
    }
    return undefined;
  };
}

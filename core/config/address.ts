/** A listen or connect address: TCP host and port, or a unix socket path. */
export type ParsedAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/**
 * Parses `ip:port`, `[v6]:port`, `host:port` or `unix:/path`. Returns undefined when invalid
 * (port outside 0..65535, missing host, empty path).
 */
export function parseAddress(text: string): ParsedAddress | undefined {
  if (text.startsWith('unix:')) {
    const path = text.slice(5);
    return path.length > 0 ? { kind: 'unix', path } : undefined;
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { kind: 'tcp', host: m[1] ?? m[2], port };
}

/** Formats an address back to text (`[::1]:80` for IPv6). */
export function formatAddress(a: ParsedAddress): string {
  if (a.kind === 'unix') return `unix:${a.path}`;
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

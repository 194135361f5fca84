/**
 * Splits `host[:port]` (IPv6 in brackets) into the lowercased host, without brackets, and the
 * port ('' when none). Virtual-host domains and the request's `:authority` go through the same
 * function, so they compare alike.
 */
export function splitHostPort(authority: string): { host: string; port: string } {
  const text = authority.trim().toLowerCase();
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end > 0) {
      const rest = text.slice(end + 1);
      return { host: text.slice(1, end), port: rest.startsWith(':') ? rest.slice(1) : '' };
    }
    return { host: text, port: '' };
  }
  const colon = text.lastIndexOf(':');
  // More than one ':' without brackets is a bare IPv6 address, not host:port.
  if (colon < 0 || text.indexOf(':') !== colon) return { host: text, port: '' };
  return { host: text.slice(0, colon), port: text.slice(colon + 1) };
}

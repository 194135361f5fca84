/** What config_dump shows instead of a secret. */
export const REDACTED = '[redacted]';

/** Field names whose values never leave the process through the admin API. */
const SECRET_FIELDS: ReadonlySet<string> = new Set(['private_key']);

/** A PEM private key block, whatever field holds it (e.g. a key pasted into cert_chain). */
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/**
 * A copy of a JSON config tree with every secret field's value replaced, at any depth, and any
 * string holding a PEM private key block. Empty or null values stay as they are (there is nothing
 * to hide, and "[redacted]" would suggest a key is set), which is how MOSN's own redaction
 * behaves. The input is never modified.
 */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === 'string') return PEM_PRIVATE_KEY.test(value) ? REDACTED : value;
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  // fromEntries defines own properties, so even a "__proto__" key is copied as data.
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [
      key,
      SECRET_FIELDS.has(key) && field !== '' && field != null ? REDACTED : redactSecrets(field),
    ]),
  );
}

import * as fs from 'node:fs';

/** MOSN's rule: a value containing a PEM header is the PEM itself, anything else is a file path. */
export function isInlinePem(value: string): boolean {
  return value.includes('-----BEGIN');
}

/**
 * The PEM text a TLS field holds, inline or read from its file (relative paths from the working
 * directory, as MOSN). Problems name the field's path, and the file name for a path; they never
 * quote the PEM or the file's content (it may be a private key).
 */
export function readPemSource(value: string, path: string, problems: string[]): string | undefined {
  if (isInlinePem(value)) return value;
  try {
    return fs.readFileSync(value, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    problems.push(`${path}: cannot read ${JSON.stringify(value)}: ${why}`);
    return undefined;
  }
}

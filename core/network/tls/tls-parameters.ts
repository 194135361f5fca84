import * as tls from 'node:tls';
import type { TlsContextConfig } from '../../config/config-types';

/** The protocol settings of a TLS context, in Node's terms. */
export interface TlsParameters {
  minVersion: tls.SecureVersion | undefined;
  maxVersion: tls.SecureVersion | undefined;
  /** OpenSSL cipher list (TLS 1.2 names and TLS 1.3 suites, colon-separated). */
  ciphers: string | undefined;
  /** OpenSSL curve list, colon-separated. */
  ecdhCurve: string | undefined;
  alpn: string[] | undefined;
}

/** MOSN's version names (pkg/mtls/types.go), lower-cased; TLS_AUTO means Node's default. */
const VERSIONS: ReadonlyMap<string, tls.SecureVersion | undefined> = new Map<string, tls.SecureVersion | undefined>([
  ['tls_auto', undefined],
  ['tlsv1_0', 'TLSv1'],
  ['tlsv1_1', 'TLSv1.1'],
  ['tlsv1_2', 'TLSv1.2'],
  ['tlsv1_3', 'TLSv1.3'],
  // Node's and OpenSSL's spellings, for users coming from them.
  ['tlsv1', 'TLSv1'],
  ['tlsv1.0', 'TLSv1'],
  ['tlsv1.1', 'TLSv1.1'],
  ['tlsv1.2', 'TLSv1.2'],
  ['tlsv1.3', 'TLSv1.3'],
]);
const VERSION_ORDER: readonly tls.SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * MOSN's cipher names (Go's suites, pkg/mtls/ciphers.go) → OpenSSL's. MOSN's two short GCM names
 * are Go's TLS 1.3 suites.
 */
const MOSN_CIPHERS: ReadonlyMap<string, string> = new Map([
  ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
  ['ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'],
  ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'],
  ['ECDHE-ECDSA-WITH-CHACHA20-POLY1305', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  ['ECDHE-RSA-WITH-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305'],
  ['ECDHE-RSA-AES256-CBC-SHA', 'ECDHE-RSA-AES256-SHA'],
  ['ECDHE-RSA-AES128-CBC-SHA', 'ECDHE-RSA-AES128-SHA'],
  ['ECDHE-ECDSA-AES256-CBC-SHA', 'ECDHE-ECDSA-AES256-SHA'],
  ['ECDHE-ECDSA-AES128-CBC-SHA', 'ECDHE-ECDSA-AES128-SHA'],
  ['RSA-AES256-CBC-SHA', 'AES256-SHA'],
  ['RSA-AES128-CBC-SHA', 'AES128-SHA'],
  ['ECDHE-RSA-3DES-EDE-CBC-SHA', 'ECDHE-RSA-DES-CBC3-SHA'],
  ['RSA-3DES-EDE-CBC-SHA', 'DES-CBC3-SHA'],
  ['AES256-GCM-SHA384', 'TLS_AES_256_GCM_SHA384'],
  ['AES128-GCM-SHA256', 'TLS_AES_128_GCM_SHA256'],
]);

/**
 * Go never lets a config restrict the TLS 1.3 suites; Node would disable TLS 1.3 when the list
 * names none. A list without any therefore gets OpenSSL's default TLS 1.3 suites, as in MOSN.
 */
const DEFAULT_TLS13_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

/** MOSN's curve names (pkg/mtls/types.go) → OpenSSL's. */
const CURVES: ReadonlyMap<string, string> = new Map([
  ['x25519', 'X25519'],
  ['p256', 'P-256'],
  ['p384', 'P-384'],
  ['p521', 'P-521'],
]);

/** ALPN ids are 1..255 bytes (RFC 7301). */
const MAX_ALPN_ID = 255;

/** Reads versions, ciphers, curves and ALPN of one context; problems as `path: reason`. */
export function parseTlsParameters(config: TlsContextConfig, path: string, problems: string[]): TlsParameters {
  const minVersion = parseVersion(config.min_version, `${path}.min_version`, problems);
  const maxVersion = parseVersion(config.max_version, `${path}.max_version`, problems);
  if (minVersion && maxVersion && VERSION_ORDER.indexOf(minVersion) > VERSION_ORDER.indexOf(maxVersion)) {
    problems.push(`${path}.min_version: ${JSON.stringify(config.min_version)} is above max_version ${JSON.stringify(config.max_version)}`);
  }
  return {
    minVersion,
    maxVersion,
    ciphers: parseCiphers(config.cipher_suites, `${path}.cipher_suites`, problems),
    ecdhCurve: parseCurves(config.ecdh_curves, `${path}.ecdh_curves`, problems),
    alpn: parseAlpn(config.alpn, `${path}.alpn`, problems),
  };
}

/** A MOSN list: `sep`-separated string or array; blanks dropped. */
function names(value: string | string[] | undefined, sep: string): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : value.split(sep);
  return list.map((s) => s.trim()).filter((s) => s !== '');
}

function parseVersion(value: string | undefined, path: string, problems: string[]): tls.SecureVersion | undefined {
  if (value === undefined || value === '') return undefined;
  const key = value.toLowerCase();
  if (!VERSIONS.has(key)) {
    problems.push(`${path}: unknown TLS version ${JSON.stringify(value)} (known: TLS_AUTO, TLSv1_0, TLSv1_1, TLSv1_2, TLSv1_3)`);
    return undefined;
  }
  return VERSIONS.get(key);
}

function parseCiphers(value: string | string[] | undefined, path: string, problems: string[]): string | undefined {
  const list = names(value, ':');
  if (list.length === 0) return undefined;
  const known = new Set(tls.getCiphers());
  const out: string[] = [];
  for (const name of list) {
    // MOSN's Go names first; an OpenSSL name is taken as it is.
    const openssl = MOSN_CIPHERS.get(name.toUpperCase()) ?? (known.has(name.toLowerCase()) ? name : undefined);
    if (openssl === undefined) problems.push(`${path}: unknown cipher suite ${JSON.stringify(name)} (MOSN names: ${[...MOSN_CIPHERS.keys()].join(', ')})`);
    else out.push(openssl);
  }
  if (!out.some((c) => c.startsWith('TLS_'))) out.push(DEFAULT_TLS13_SUITES);
  return out.join(':');
}

function parseCurves(value: string | string[] | undefined, path: string, problems: string[]): string | undefined {
  const list = names(value, ',');
  if (list.length === 0) return undefined;
  const out: string[] = [];
  for (const name of list) {
    const curve = CURVES.get(name.toLowerCase());
    if (curve === undefined) problems.push(`${path}: unknown curve ${JSON.stringify(name)} (known: ${[...CURVES.keys()].join(', ')})`);
    else out.push(curve);
  }
  return out.join(':');
}

function parseAlpn(value: string | string[] | undefined, path: string, problems: string[]): string[] | undefined {
  const list = names(value, ',');
  if (list.length === 0) return undefined;
  for (const id of list) {
    if (Buffer.byteLength(id) > MAX_ALPN_ID) problems.push(`${path}: ALPN protocol ${JSON.stringify(id.slice(0, 20))}… is longer than 255 bytes`);
  }
  return list;
}

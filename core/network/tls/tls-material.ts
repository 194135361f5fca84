import * as crypto from 'node:crypto';
import { readPemSource } from './pem-source';

/** A certificate chain with its private key, checked to belong together. */
export interface CertificateMaterial {
  certPem: string;
  keyPem: string;
  /** The leaf certificate. */
  leaf: crypto.X509Certificate;
  /** Lower-cased names the leaf answers: its CN and DNS subject alternative names. */
  names: string[];
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Parses every certificate of a PEM bundle; undefined (with the problem recorded) when it holds
 * none or one does not parse.
 */
export function parseCertificates(pem: string, path: string, problems: string[]): crypto.X509Certificate[] | undefined {
  const blocks = pem.match(CERT_BLOCK);
  if (!blocks) {
    problems.push(`${path}: no PEM certificate ("-----BEGIN CERTIFICATE-----") found`);
    return undefined;
  }
  const certs: crypto.X509Certificate[] = [];
  for (let i = 0; i < blocks.length; i++) {
    try {
      certs.push(new crypto.X509Certificate(blocks[i]));
    } catch (err) {
      problems.push(`${path}: certificate ${i + 1} of ${blocks.length} does not parse (${errorText(err)})`);
      return undefined;
    }
  }
  return certs;
}

/**
 * Loads `cert_chain` and `private_key` (inline PEM or files), parses both and checks that the key
 * is the leaf certificate's. `path` is the TLS context's path.
 */
export function loadCertificate(certValue: string, keyValue: string, path: string, problems: string[]): CertificateMaterial | undefined {
  const before = problems.length;
  const certPem = readPemSource(certValue, `${path}.cert_chain`, problems);
  const keyPem = readPemSource(keyValue, `${path}.private_key`, problems);
  const certs = certPem === undefined ? undefined : parseCertificates(certPem, `${path}.cert_chain`, problems);
  let key: crypto.KeyObject | undefined;
  if (keyPem !== undefined) {
    try {
      key = crypto.createPrivateKey(keyPem);
    } catch (err) {
      // The reason is OpenSSL's (no key bytes in it).
      problems.push(`${path}.private_key: not a usable PEM private key (${errorText(err)})`);
    }
  }
  if (problems.length > before || !certs || !key || certPem === undefined || keyPem === undefined) return undefined;
  const leaf = certs[0];
  if (!leaf.checkPrivateKey(key)) {
    problems.push(`${path}.private_key: does not match the certificate in cert_chain (subject ${JSON.stringify(oneLine(leaf.subject))})`);
    return undefined;
  }
  return { certPem, keyPem, leaf, names: certificateNames(leaf) };
}

/** Loads `ca_cert` (inline or file) and checks it holds certificates. */
export function loadCa(value: string, path: string, problems: string[]): string | undefined {
  const pem = readPemSource(value, path, problems);
  if (pem === undefined) return undefined;
  return parseCertificates(pem, path, problems) ? pem : undefined;
}

/** CN and DNS SANs of a certificate, lower-cased. */
export function certificateNames(cert: crypto.X509Certificate): string[] {
  const names: string[] = [];
  const cn = commonName(cert.subject);
  if (cn !== '') names.push(cn.toLowerCase());
  for (const san of splitAltNames(cert.subjectAltName)) {
    if (san.startsWith('DNS:')) names.push(san.slice(4).toLowerCase());
  }
  return names;
}

/** The CN of an X509Certificate subject (lines `key=value`), '' when absent. */
export function commonName(subject: string): string {
  for (const line of subject.split('\n')) if (line.startsWith('CN=')) return line.slice(3);
  return '';
}

/** Node's subjectAltName string as a list (`DNS:a`, `IP Address:127.0.0.1`, …). */
export function splitAltNames(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(', ').filter((s) => s !== '');
}

/** Node's multi-line subject/issuer as one line. */
export function oneLine(dn: string): string {
  return dn.split('\n').filter((s) => s !== '').join(', ');
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

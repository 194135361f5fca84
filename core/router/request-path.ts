import type { HeaderMap } from '../../plugin-sdk/api/header-map';

/** `:path` split into the path that routes match on and the query string (with its '?', or ''). */
export interface SplitPath {
  path: string;
  query: string;
}

export function splitPath(rawPath: string): SplitPath {
  const q = rawPath.indexOf('?');
  return q < 0 ? { path: rawPath, query: '' } : { path: rawPath.slice(0, q), query: rawPath.slice(q) };
}

/** The request's path without the query string; '' when there is no `:path` (RPC protocols). */
export function requestPath(headers: HeaderMap): string {
  const raw = headers.get(':path');
  if (raw === undefined) return '';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

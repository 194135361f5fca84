import { textResponse, type AdminRoute } from './admin-route';

/** GET /api/v1/version: "mosn version: <version>" (no newline), as MOSN writes it. */
export function versionRoute(version: string): AdminRoute {
  return { path: '/api/v1/version', method: 'GET', handle: () => textResponse(`mosn version: ${version}`) };
}

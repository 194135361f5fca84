import { textResponse, type AdminRoute } from './admin-route';

/** GET /: "supported APIs:\n" then one path a line (sorted; "/" itself left out, as MOSN does). */
export function helpRoute(paths: () => Iterable<string>): AdminRoute {
  return {
    path: '/',
    method: 'GET',
    handle: () => {
      const listed = [...new Set(paths())].filter((p) => p !== '/').sort();
      return textResponse(`supported APIs:\n${listed.map((p) => `${p}\n`).join('')}`);
    },
  };
}

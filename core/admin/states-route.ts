import { textResponse, type AdminRoute } from './admin-route';
import { mosnStateCode } from './mosn-state';

/**
 * GET /api/v1/states: "pid=<pid>&state=<MOSN state number>\n" as MOSN prints it. A state name
 * MOSN has no number for is printed as the name, so it is still visible.
 */
export function statesRoute(state: () => string): AdminRoute {
  return {
    path: '/api/v1/states',
    method: 'GET',
    handle: () => {
      const name = state();
      return textResponse(`pid=${process.pid}&state=${mosnStateCode(name) ?? name}\n`);
    },
  };
}

import type { ConfigNode } from './config-node';
import { isPlainObject } from './config-node';

export interface DirectResponse {
  readonly status: number;
  readonly body: string;
}

/** A route's `direct_response`, or undefined when there is none (or it is broken: reported). */
export function directResponseFromConfig(route: ConfigNode): DirectResponse | undefined {
  const node = route.object('direct_response');
  if (!node) return undefined;
  const status = node.integer('status', 100, 599);
  if (!node.has('status')) node.problem('status', 'is required');
  const raw = node.raw('body');
  let body = '';
  // MOSN writes the body as a string; Envoy as {inline_string}.
  if (typeof raw === 'string') body = raw;
  else if (isPlainObject(raw) && typeof raw.inline_string === 'string') body = raw.inline_string;
  else if (raw !== undefined) node.problem('body', 'must be a string (or {"inline_string": "..."})');
  return status === undefined ? undefined : Object.freeze({ status, body });
}

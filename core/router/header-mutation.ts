import type { HeaderMap } from '../../plugin-sdk/api/header-map';
import type { ConfigNode } from './config-node';

interface HeaderToAdd {
  name: string;
  value: string;
  append: boolean;
}

/**
 * The `*_headers_to_add` / `*_headers_to_remove` pair of one level (route, virtual host or
 * router), parsed once. Adds run before removes, as in MOSN's headerParser.
 *
 * `append: true` (the default, as in MOSN and Envoy) adds the value to what is there: MOSN joins
 * it onto the existing value with ",", which keeps one entry per name for protocols whose wire
 * has no repeated headers (bolt, dubbo); `set-cookie` cannot be comma-joined and gets its own
 * entry. `append: false` replaces every existing value.
 */
export class HeaderMutation {
  static readonly NONE = new HeaderMutation([], []);

  private constructor(
    private readonly toAdd: readonly HeaderToAdd[],
    private readonly toRemove: readonly string[],
  ) {}

  get isEmpty(): boolean {
    return this.toAdd.length === 0 && this.toRemove.length === 0;
  }

  /**
   * Reads `<kind>_headers_to_add` and `<kind>_headers_to_remove` of each node in turn (a route
   * has them on its `route` action in MOSN, on the route itself in Envoy).
   */
  static fromConfig(nodes: readonly (ConfigNode | undefined)[], kind: 'request' | 'response'): HeaderMutation {
    const toAdd: HeaderToAdd[] = [];
    const toRemove: string[] = [];
    for (const node of nodes) if (node) read(node, kind, toAdd, toRemove);
    return toAdd.length === 0 && toRemove.length === 0 ? HeaderMutation.NONE : new HeaderMutation(toAdd, toRemove);
  }

  apply(headers: HeaderMap): void {
    for (const { name, value, append } of this.toAdd) {
      if (!append) {
        headers.set(name, value);
        continue;
      }
      const existing = headers.getAll(name).filter((v) => v !== '');
      if (existing.length === 0) headers.set(name, value);
      else if (name.toLowerCase() === 'set-cookie') headers.add(name, value);
      else headers.set(name, `${existing.join(',')},${value}`);
    }
    for (const name of this.toRemove) headers.remove(name);
  }
}

function read(node: ConfigNode, kind: 'request' | 'response', toAdd: HeaderToAdd[], toRemove: string[]): void {
  for (const option of node.objects(`${kind}_headers_to_add`)) {
    const header = option.object('header');
    const append = option.boolean('append') ?? true;
    if (!header) {
      if (!option.has('header')) option.problem('header', 'is required');
      continue;
    }
    const name = header.string('key');
    if (!name) {
      header.problem('key', 'is required');
      continue;
    }
    toAdd.push({ name, value: header.string('value') ?? '', append });
  }
  for (const name of node.strings(`${kind}_headers_to_remove`)) if (name !== '') toRemove.push(name);
}

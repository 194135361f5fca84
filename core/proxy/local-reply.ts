import { HeaderMap } from '../../plugin-sdk';

/** Headers of a locally generated reply. */
export function localReplyHeaders(status: number, body: Buffer, extra?: Readonly<Record<string, string>>): HeaderMap {
  const h = new HeaderMap();
  h.add(':status', String(status));
  let hasType = false;
  if (extra) {
    for (const name of Object.keys(extra)) {
      h.add(name, extra[name]);
      if (name.toLowerCase() === 'content-type') hasType = true;
    }
  }
  if (!hasType && body.length > 0) h.add('content-type', 'text/plain; charset=utf-8');
  h.set('content-length', String(body.length));
  return h;
}

/** Short bodies for the proxy's own replies, so a client sees why. */
export const LOCAL_REPLY_BODY: Readonly<Record<number, string>> = {
  400: 'bad request\n',
  404: 'no route\n',
  500: 'internal error\n',
  502: 'upstream reset\n',
  503: 'upstream unavailable\n',
  504: 'upstream request timeout\n',
};

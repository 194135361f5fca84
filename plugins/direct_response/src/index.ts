import { FilterStatus, definePlugin } from 'mosn-plugin-sdk';
import type { Connection, IoBuffer, NetworkFilterFactory, ReadFilter, ReadFilterCallbacks } from 'mosn-plugin-sdk';

interface DirectResponseConfig {
  body: string;
  /** `raw` (default) writes the body as is; `http` wraps it in an HTTP/1.1 200 response. */
  format?: 'raw' | 'http';
  content_type?: string;
}

/**
 * Answers once the client has sent something (so a client such as curl has finished writing its
 * request and reads the answer, rather than seeing a reset), then closes after the write flushes.
 */
class DirectResponseFilter implements ReadFilter {
  private connection!: Connection;
  private answered = false;

  constructor(private readonly response: Buffer) {}

  initializeReadFilterCallbacks(callbacks: ReadFilterCallbacks): void {
    this.connection = callbacks.connection;
  }

  onData(buffer: IoBuffer, endStream: boolean): FilterStatus {
    buffer.clear();
    if (!this.answered) {
      this.answered = true;
      this.connection.write(this.response);
      this.connection.close('FlushWrite');
    } else if (endStream) {
      this.connection.close('FlushWrite');
    }
    return FilterStatus.Stop;
  }
}

function buildResponse(config: DirectResponseConfig): Buffer {
  const body = Buffer.from(config.body);
  if (config.format !== 'http') return body;
  const head =
    'HTTP/1.1 200 OK\r\n' +
    `Content-Type: ${config.content_type ?? 'text/plain; charset=utf-8'}\r\n` +
    `Content-Length: ${body.length}\r\n` +
    'Connection: close\r\n\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const directResponseFactory: NetworkFilterFactory<DirectResponseConfig> = {
  createFilterChainFactory(config) {
    const response = buildResponse(config);
    return {
      createFilterChain(_connection, manager) {
        manager.addReadFilter(new DirectResponseFilter(response));
      },
    };
  },
};

export = definePlugin({
  activate(context) {
    context.registerNetworkFilter('direct_response', directResponseFactory);
  },
});

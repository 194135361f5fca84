/**
 * A real SOFARPC provider (sofa-rpc-node's RpcServer, bolt + hessian2) run as its own process by
 * the bolt tests, so a test can kill it like a crashed server. No registry: it listens on
 * 127.0.0.1 on a free port and prints `LISTENING <port>`.
 *
 *   node dist/test/bolt/sofa-server-main.js --name A
 *
 * Services (version 1.0):
 * - com.example.EchoService: echo(s) → "<name>:<s>", add(a, b) → a + b, slow(ms) → answers after ms,
 *   record(tag) (sent oneway by tests) → remembers tag, stats() → JSON of what this server saw.
 * - com.example.OtherService: whoami() → "<name>:other".
 */
/* eslint-disable @typescript-eslint/no-require-imports */
// sofa-rpc-node ships no type declarations.
const { server: sofaServer } = require('sofa-rpc-node') as { server: { RpcServer: new (options: Record<string, unknown>) => SofaRpcServer } };

interface SofaRpcServer {
  publishPort: number;
  addService(info: { interfaceName: string; version?: string }, delegate: Record<string, (...args: unknown[]) => Promise<unknown>>): void;
  start(): Promise<void>;
  on(event: string, fn: (...args: any[]) => void): void;
}

const args = process.argv.slice(2);
const name = args[args.indexOf('--name') + 1] ?? 'server';

const silent = { info() {}, warn() {}, error() {}, debug() {} };
const seen = { requests: 0, requestIds: [] as number[], heartbeats: 0, connections: 0, recorded: [] as string[] };

const server = new sofaServer.RpcServer({ logger: silent, port: 0, idleTime: 600_000, maxIdleTime: 600_000 });
server.addService(
  { interfaceName: 'com.example.EchoService', version: '1.0' },
  {
    async echo(s: unknown) {
      return `${name}:${String(s)}`;
    },
    async add(a: unknown, b: unknown) {
      return Number(a) + Number(b);
    },
    async slow(ms: unknown) {
      await new Promise((r) => setTimeout(r, Number(ms)));
      return `${name}:slow`;
    },
    async record(tag: unknown) {
      seen.recorded.push(String(tag));
      return true;
    },
    async stats() {
      return JSON.stringify(seen);
    },
  },
);
server.addService(
  { interfaceName: 'com.example.OtherService', version: '1.0' },
  {
    async whoami() {
      return `${name}:other`;
    },
  },
);
server.on('connection', (conn: { _decoder: { on(e: string, fn: () => void): void } }) => {
  seen.connections++;
  conn._decoder.on('heartbeat', () => seen.heartbeats++);
});
server.on('request', ({ req }: { req: { packetId: number; data: { methodName: string } } }) => {
  seen.requests++;
  if (req.data.methodName !== 'stats') seen.requestIds.push(req.packetId);
});
server.start().then(
  () => console.log(`LISTENING ${server.publishPort}`),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);

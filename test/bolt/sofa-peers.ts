import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as path from 'node:path';

/*
 * Real SOFARPC peers for the bolt tests: sofa-rpc-node's RpcServer (in a child process) and
 * RpcClient, and sofa-bolt-node's encoder/decoder (the codec sofa-rpc-node itself uses) over a
 * plain socket where a test needs to choose request ids, send oneway requests or heartbeats.
 * Neither package ships type declarations, hence the small interfaces here.
 */

/* eslint-disable @typescript-eslint/no-require-imports */
const sofaRpc = require('sofa-rpc-node') as { client: { RpcClient: new (options: Record<string, unknown>) => SofaRpcClient } };
const boltProtocol = require('sofa-bolt-node') as {
  encoder(options: Record<string, unknown>): BoltEncoder;
  decoder(options: Record<string, unknown>): BoltDecoder;
};

const boltFrames = require('sofa-bolt-node/lib/protocol') as {
  requestEncode(id: number, req: Record<string, unknown>, options: Record<string, unknown>): Buffer;
};

interface SofaRpcClient {
  createConsumer(options: Record<string, unknown>): SofaConsumer;
  close(): Promise<void>;
  on(event: string, fn: (...args: unknown[]) => void): void;
}

export interface SofaConsumer {
  ready(): Promise<void>;
  invoke(method: string, args: unknown[], options?: { responseTimeout?: number }): Promise<unknown>;
}

interface BoltEncoder extends NodeJS.ReadWriteStream {
  protocolType: string;
  boltVersion: number;
  crcEnable: boolean;
  writeRequest(id: number, req: Record<string, unknown>, cb?: (err: Error | null) => void): void;
  writeHeartbeat(id: number, hb: Record<string, unknown>, cb?: (err: Error | null) => void): void;
}

interface BoltDecoder extends NodeJS.WritableStream {
  on(event: 'response' | 'heartbeat_ack', fn: (packet: DecodedPacket) => void): this;
  on(event: string, fn: (...args: any[]) => void): this;
}

export interface DecodedPacket {
  packetId: number;
  packetType: string;
  data?: { appResponse?: unknown; error?: Error };
}

/** A logger that drops everything (the SOFA libraries require one). */
export const SILENT = { info() {}, warn() {}, error() {}, debug() {} };

/** A hessian2 java.lang.String argument. */
export function jstr(s: string): { $class: string; $: string } {
  return { $class: 'java.lang.String', $: s };
}

/**
 * The exact bytes sofa-bolt-node sends for a request (SofaRequest + hessian2 args), for tests
 * that write frames on a raw socket to read the response's status and id.
 */
export function sofaRequestFrame(
  id: number,
  service: string,
  method: string,
  args: unknown[],
  opts: { timeout?: number; oneway?: boolean; version?: 1 | 2 } = {},
): Buffer {
  return boltFrames.requestEncode(
    id,
    { serverSignature: `${service}:1.0`, methodName: method, args, timeout: opts.timeout ?? 3000, oneway: opts.oneway ?? false, targetAppName: '', requestProps: {} },
    { protocolType: opts.version === 2 ? 'bolt2' : 'bolt', codecType: 'hessian2', boltVersion: 1, crcEnable: false, classCache: new Map() },
  );
}

/** A hessian2 int argument. */
export function jint(n: number): { $class: string; $: number } {
  return { $class: 'int', $: n };
}

export interface SofaServer {
  name: string;
  port: number;
  address: string;
  child: ChildProcess;
  /** What the server saw: requests, their ids, heartbeats, connections, oneway records. */
  stats(): Promise<SofaServerStats>;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

export interface SofaServerStats {
  requests: number;
  requestIds: number[];
  heartbeats: number;
  connections: number;
  recorded: string[];
}

const SERVER_MAIN = path.join(__dirname, 'sofa-server-main.js');

/** Starts a sofa-rpc-node RpcServer named `name` in a child process. */
export function startSofaServer(name: string): Promise<SofaServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER_MAIN, '--name', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`sofa server ${name} exited (${code}) before listening: ${err}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (!m) return;
      const port = Number(m[1]);
      const address = `127.0.0.1:${port}`;
      let direct: SofaRpcClient | undefined;
      resolve({
        name,
        port,
        address,
        child,
        async stats() {
          direct ??= newClient();
          const c = direct.createConsumer({ interfaceName: 'com.example.EchoService', version: '1.0', serverHost: address, ...CONSUMER_DEFAULTS });
          await c.ready();
          return JSON.parse(String(await c.invoke('stats', [], { responseTimeout: 3000 }))) as SofaServerStats;
        },
        async kill() {
          await direct?.close();
          direct = undefined;
          if (child.exitCode !== null || child.signalCode !== null) return;
          const gone = new Promise<void>((r) => child.once('exit', () => r()));
          child.kill('SIGKILL');
          await gone;
        },
      });
    });
  });
}

/**
 * A consumer's address group sleeps `retryFaultInterval` (30 s) between reconnect attempts and only
 * notices it was closed after a sleep; a short one lets a test process exit promptly.
 */
const CONSUMER_DEFAULTS = { retryFaultInterval: 200 };

function newClient(): SofaRpcClient {
  const client = new sofaRpc.client.RpcClient({ logger: SILENT });
  client.on('error', () => undefined);
  return client;
}

/** A sofa-rpc-node RpcClient whose consumers go to one fixed address (no registry). */
export class SofaClient {
  readonly client = newClient();

  constructor(private readonly address: string) {}

  async consumer(interfaceName: string, options: Record<string, unknown> = {}): Promise<SofaConsumer> {
    const c = this.client.createConsumer({ interfaceName, version: '1.0', serverHost: this.address, ...CONSUMER_DEFAULTS, ...options });
    await c.ready();
    return c;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/**
 * sofa-bolt-node's encoder and decoder over one socket: requests with ids the test picks
 * (several peers may reuse the same ids), oneway requests and heartbeats.
 */
export class BoltPeer extends EventEmitter {
  readonly responses = new Map<number, DecodedPacket>();
  private readonly waiters = new Map<number, (p: DecodedPacket) => void>();
  closed = false;

  private constructor(
    readonly socket: net.Socket,
    private readonly encoder: BoltEncoder,
  ) {
    super();
  }

  /** Connects; `version` 2 sends boltv2 frames (with a CRC32 trailer when `crc`). */
  static connect(port: number, version: 1 | 2 = 1, crc = false): Promise<BoltPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => {
        socket.off('error', reject);
        const opts = { sentReqs: new Map(), classCache: new Map(), address: { host: `127.0.0.1:${port}` } };
        const encoder = boltProtocol.encoder(opts);
        if (version === 2) {
          encoder.protocolType = 'bolt2';
          encoder.boltVersion = 1;
          encoder.crcEnable = crc;
        }
        const decoder = boltProtocol.decoder(opts);
        const peer = new BoltPeer(socket, encoder);
        encoder.pipe(socket).pipe(decoder);
        const onPacket = (p: DecodedPacket): void => {
          peer.responses.set(p.packetId, p);
          const w = peer.waiters.get(p.packetId);
          if (w) {
            peer.waiters.delete(p.packetId);
            w(p);
          }
          peer.emit('packet', p);
        };
        decoder.on('response', onPacket);
        decoder.on('heartbeat_ack', onPacket);
        decoder.on('error', (err: Error) => peer.emit('decode-error', err));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          peer.closed = true;
          peer.emit('closed');
        });
        resolve(peer);
      });
      socket.once('error', reject);
    });
  }

  /** Sends a request (hessian2) and resolves with the packet answering its id. */
  call(id: number, service: string, method: string, args: unknown[], timeout = 3000): Promise<DecodedPacket> {
    const answered = this.waitFor(id);
    this.encoder.writeRequest(id, { serverSignature: `${service}:1.0`, methodName: method, args, timeout, targetAppName: '', requestProps: {} });
    return answered;
  }

  /** Sends a oneway request: nothing answers it. */
  oneway(id: number, service: string, method: string, args: unknown[]): void {
    this.encoder.writeRequest(id, { serverSignature: `${service}:1.0`, methodName: method, args, timeout: 3000, oneway: true, targetAppName: '', requestProps: {} });
  }

  /** Sends a heartbeat and resolves with its ack. */
  heartbeat(id: number): Promise<DecodedPacket> {
    const answered = this.waitFor(id);
    this.encoder.writeHeartbeat(id, { timeout: 3000, clientUrl: this.socket.localAddress });
    return answered;
  }

  waitFor(id: number, timeoutMs = 5000): Promise<DecodedPacket> {
    const got = this.responses.get(id);
    if (got) {
      this.responses.delete(id);
      return Promise.resolve(got);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`no answer to id ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(id, (p) => {
        clearTimeout(timer);
        this.responses.delete(id);
        resolve(p);
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

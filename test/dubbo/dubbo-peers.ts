import * as net from 'node:net';
import {
  FLAG_EVENT,
  FLAG_REQUEST,
  FLAG_TWO_WAY,
  frame,
  HESSIAN2,
  parseFrames,
  readInvocationBody,
  requestFrame,
  heartbeatFrame,
  responseBody,
  responseValue,
  type Invocation,
  type ParsedFrame,
} from './dubbo-wire';

/*
 * A small Dubbo 2.x provider and consumer speaking the dubbo protocol with hessian2 bodies
 * (hessian.js), as Java Dubbo does: the consumer multiplexes calls over one connection with ids
 * counted up from 0; the provider decodes each invocation and answers with a hessian2 value.
 */

/** A request the provider received. */
export interface SeenRequest {
  id: bigint;
  raw: Buffer;
  service: string;
  version: string;
  method: string;
  args: unknown[];
  attachments: Record<string, unknown>;
}

/**
 * A Dubbo provider on 127.0.0.1:0. Methods: `echo(s)` → "NAME:s", `whoami()` → "NAME",
 * `slow(ms)` answers "NAME:slow" after ms; any other method → "NAME:METHOD". Two-way heartbeat
 * events are answered as Dubbo answers them.
 */
export class DubboProvider {
  readonly requests: SeenRequest[] = [];
  heartbeats = 0;
  connections = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly waiters: { until: () => boolean; resolve: () => void }[] = [];

  private constructor(
    readonly name: string,
    private readonly server: net.Server,
  ) {}

  static start(name: string): Promise<DubboProvider> {
    const server = net.createServer();
    const provider = new DubboProvider(name, server);
    server.on('connection', (s) => provider.serve(s));
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(provider)));
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Resolves once `until()` holds, checked after each request the provider receives. */
  whenRequests(until: () => boolean): Promise<void> {
    if (until()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ until, resolve }));
  }

  /** Stops listening and drops every connection (a provider going down). */
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      const { frames, rest } = parseFrames(Buffer.concat([pending, d]));
      pending = rest;
      for (const f of frames) this.onFrame(socket, f);
    });
  }

  private onFrame(socket: net.Socket, f: ParsedFrame): void {
    if ((f.flag & FLAG_REQUEST) === 0) return;
    const twoWay = (f.flag & FLAG_TWO_WAY) !== 0;
    if ((f.flag & FLAG_EVENT) !== 0) {
      this.heartbeats++;
      if (twoWay) socket.write(frame({ flag: FLAG_EVENT | HESSIAN2, status: 20, id: f.id, body: Buffer.from([0x4e]) }));
      return;
    }
    const inv = readInvocationBody(f.body);
    this.requests.push({ id: f.id, raw: Buffer.from(f.raw), service: inv.service, version: inv.version, method: inv.method, args: inv.args, attachments: inv.attachments });
    for (const w of this.waiters.slice()) {
      if (w.until()) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
    if (!twoWay) return;
    const reply = (value: unknown): void => {
      if (!socket.destroyed) socket.write(frame({ flag: HESSIAN2, status: 20, id: f.id, body: responseBody(value) }));
    };
    switch (inv.method) {
      case 'echo':
        return reply(`${this.name}:${String(inv.args[0])}`);
      case 'whoami':
        return reply(this.name);
      case 'slow':
        setTimeout(() => reply(`${this.name}:slow`), Number(inv.args[0]));
        return;
      default:
        return reply(`${this.name}:${inv.method}`);
    }
  }
}

export interface CallResult {
  id: bigint;
  status: number;
  value?: unknown;
  error?: string;
}

/** A Dubbo consumer: one connection, calls multiplexed on it with ids 0, 1, 2... */
export class DubboConsumer {
  private nextId = 0n;
  private pending: Buffer = Buffer.alloc(0);
  private readonly calls = new Map<bigint, (f: ParsedFrame) => void>();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      const { frames, rest } = parseFrames(Buffer.concat([this.pending, d]));
      this.pending = rest;
      for (const f of frames) {
        const done = this.calls.get(f.id);
        this.calls.delete(f.id);
        done?.(f);
      }
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<DubboConsumer> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.off('error', reject);
        s.setNoDelay(true);
        resolve(new DubboConsumer(s));
      });
      s.once('error', reject);
    });
  }

  /** Calls a method; resolves with the response's status and value or error message. */
  invoke(inv: Invocation, timeoutMs = 5000): Promise<CallResult> {
    const id = this.nextId++;
    return this.send(id, requestFrame(id, { ...inv, attachments: { timeout: String(timeoutMs), ...inv.attachments } }), timeoutMs).then((f) => ({ id: f.id, status: f.status, ...responseValue(f) }));
  }

  /** Sends a heartbeat event; resolves with the reply frame. */
  heartbeat(): Promise<ParsedFrame> {
    const id = this.nextId++;
    return this.send(id, heartbeatFrame(id), 5000);
  }

  close(): void {
    this.socket.destroy();
  }

  private send(id: bigint, bytes: Buffer, timeoutMs: number): Promise<ParsedFrame> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.calls.delete(id);
        reject(new Error(`no response to id ${id} within ${timeoutMs} ms`));
      }, timeoutMs + 1000);
      this.calls.set(id, (f) => {
        clearTimeout(t);
        resolve(f);
      });
      this.socket.write(bytes);
    });
  }
}

/** A java.lang.String argument. */
export function jstr(s: string): { $class: string; $: string } {
  return { $class: 'java.lang.String', $: s };
}

/** An int argument. */
export function jint(n: number): { $class: string; $: number } {
  return { $class: 'int', $: n };
}

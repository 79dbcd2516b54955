/**
 * A compute worker thread with its own tfjs backend, driven synchronously from the
 * main thread: post a request, keep working, then block until the reply (see
 * protocol.ts). The WASM backend runs one thread per process in Node, so a second
 * core is only reachable this way.
 *
 * Workers run compiled JavaScript. Code loaded from TypeScript sources (the tests)
 * gets the compiled twin under dist/ — run `npm run build` first.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative as relativePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { BackendName } from '../backend.js';
import { EXITED, post, receiveBlocking, REPLIES, REQUESTS, SIGNAL_BYTES, type Reply, type Request } from './protocol.js';

type RequestBody = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class WorkerThread {
  private nextId = 1;
  private readonly replies = new Map<number, Reply>();

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
  ) {}

  get alive(): boolean {
    return Atomics.load(this.signal, EXITED) === 0;
  }

  static async start(backend: BackendName): Promise<WorkerThread> {
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_BYTES));
    const worker = new Worker(compiledUrl('./host.js', import.meta.url), { workerData: { port: port2, signal, backend }, transferList: [port2] });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`compute worker exited during start-up (code ${code})`)));
    });
    worker.removeAllListeners('error');
    worker.removeAllListeners('exit');
    // An idle worker must not keep the process alive if its owner forgets close().
    worker.unref();
    return new WorkerThread(worker, port1, signal);
  }

  static startMany(backend: BackendName, count: number): Promise<WorkerThread[]> {
    return Promise.all(Array.from({ length: count }, () => WorkerThread.start(backend)));
  }

  /** Sends a request; its reply is collected by `receive(id)`. */
  send(body: RequestBody): number {
    if (!this.alive) throw new Error('The compute worker thread has stopped.');
    const id = this.nextId++;
    post(this.port, this.signal, REQUESTS, { ...body, id } as Request);
    return id;
  }

  /** Blocks until the reply to request `id` is in, then returns its value or throws its error. */
  receive(id: number): unknown {
    while (!this.replies.has(id)) {
      const reply = receiveBlocking<Reply>(this.port, this.signal, REPLIES, () => this.alive);
      this.replies.set(reply.id, reply);
    }
    const reply = this.replies.get(id)!;
    this.replies.delete(id);
    if (reply.ok) return reply.value;
    const error = new Error(`${reply.error.message} (in a compute worker)`);
    error.name = reply.error.name;
    if (reply.error.stack) error.stack = reply.error.stack;
    throw error;
  }

  call(body: RequestBody): unknown {
    return this.receive(this.send(body));
  }

  /** Disposes every object in the worker and ends it. */
  close(): void {
    if (!this.alive) return;
    this.call({ op: 'close' });
    Atomics.store(this.signal, EXITED, 1);
    this.port.close();
    void this.worker.terminate();
  }
}

/**
 * URL of the compiled JavaScript for `relative` next to `base`: itself when it exists
 * (running from dist/), else its twin under dist/ (running from TypeScript sources).
 */
export function compiledUrl(relative: string, base: string): URL {
  const url = new URL(relative, base);
  const path = fileURLToPath(url);
  if (existsSync(path)) return url;
  const root = packageRoot(dirname(path));
  const twin = root && join(root, 'dist', relativePath(root, path));
  if (twin && existsSync(twin)) return pathToFileURL(twin);
  throw new Error(`Cannot find ${path} or a compiled copy under dist/ for the compute worker; run npm run build.`);
}

function packageRoot(dir: string): string | null {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'package.json'))) return current;
    if (dirname(current) === current) return null;
  }
}

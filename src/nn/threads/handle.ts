/**
 * One interface for an object in this thread or in a compute worker. `call` returns
 * a Pending: a remote call is already running when `call` returns, a local one runs
 * when waited for. So a caller that issues every call first and then waits — local
 * handles first — keeps all threads busy at once:
 *
 *   const pending = handles.map((h) => h.call('trainStep', ...));
 *   const results = pending.map((p) => p.wait());
 *
 * Arguments and results cross threads as structured clones (typed arrays copied, views
 * of shared memory shared).
 */
import { compiledUrl, type WorkerThread } from './worker-thread.js';

export interface Pending<T> {
  wait(): T;
}

type Methods<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];
type Method<T, K extends Methods<T>> = T[K] extends (...args: infer A) => infer R ? { args: A; result: R } : never;

/**
 * A worker object's methods as its callers see them: the worker awaits a returned
 * promise before it replies, so an asynchronous method's result arrives resolved.
 */
export type Resolved<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Awaited<R> : T[K] };

export interface Handle<T> {
  readonly remote: boolean;
  call<K extends Methods<T>>(method: K, ...args: Method<T, K>['args']): Pending<Method<T, K>['result']>;
  dispose(): void;
}

export class LocalHandle<T extends object> implements Handle<T> {
  readonly remote = false;

  constructor(readonly target: T & { dispose(): void }) {}

  call<K extends Methods<T>>(method: K, ...args: Method<T, K>['args']): Pending<Method<T, K>['result']> {
    const fn = this.target[method] as (...a: unknown[]) => Method<T, K>['result'];
    return { wait: () => fn.apply(this.target, args as unknown[]) };
  }

  dispose(): void {
    this.target.dispose();
  }
}

export class RemoteHandle<T> implements Handle<T> {
  readonly remote = true;

  private constructor(
    readonly thread: WorkerThread,
    private readonly handle: number,
  ) {}

  /** `new Class(...args)` in `thread`, where Class is `exportName` of the module `relative` to `base` (an import.meta.url). */
  static create<T>(thread: WorkerThread, relative: string, base: string, exportName: string, args: unknown[]): RemoteHandle<T> {
    const module = compiledUrl(relative, base).href;
    const handle = thread.call({ op: 'create', module, exportName, args }) as number;
    return new RemoteHandle<T>(thread, handle);
  }

  call<K extends Methods<T>>(method: K, ...args: Method<T, K>['args']): Pending<Method<T, K>['result']> {
    const id = this.thread.send({ op: 'call', handle: this.handle, method: String(method), args: (args as unknown[]).map(compact) });
    return { wait: () => this.thread.receive(id) as Method<T, K>['result'] };
  }

  dispose(): void {
    this.thread.call({ op: 'dispose', handle: this.handle });
  }
}

/**
 * A typed array that views part of a larger buffer, copied to its own: a structured
 * clone copies a view's whole buffer (e.g. one member's rows of a batch of seven).
 * Views of shared memory stay views: a clone shares them, and the callee may write there.
 */
function compact(arg: unknown): unknown {
  if (ArrayBuffer.isView(arg) && !(arg instanceof DataView) && !(arg.buffer instanceof SharedArrayBuffer) && arg.byteLength < arg.buffer.byteLength) {
    return (arg as unknown as { slice(): unknown }).slice();
  }
  return arg;
}

/** Waits for every pending result, in order. */
export function waitAll<T>(pending: Pending<T>[]): T[] {
  return pending.map((p) => p.wait());
}

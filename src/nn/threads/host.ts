/**
 * Entry point of a compute worker thread: starts its own tfjs backend, then serves
 * objects (created from a module URL and export name) whose methods the main thread
 * calls. Between calls it sleeps in Atomics.wait; it never needs its event loop
 * except to finish a dynamic import when an object is created.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { initBackend, type BackendName } from '../backend.js';
import { EXITED, post, receiveBlocking, REPLIES, REQUESTS, type Reply, type Request } from './protocol.js';

interface HostData {
  port: MessagePort;
  signal: Int32Array;
  backend: BackendName;
}

const { port, signal, backend } = workerData as HostData;
// The main thread may be blocked waiting for a reply, deaf to this worker's 'exit' event: tell it here.
process.on('exit', () => {
  Atomics.store(signal, EXITED, 1);
  Atomics.notify(signal, REPLIES);
});
await initBackend(backend);
parentPort!.postMessage('ready');

const objects = new Map<number, Record<string, unknown>>();
let nextHandle = 1;

for (;;) {
  const request = receiveBlocking<Request>(port, signal, REQUESTS);
  if (request.op === 'close') {
    for (const object of objects.values()) dispose(object);
    post(port, signal, REPLIES, { id: request.id, ok: true, value: null });
    break;
  }
  let reply: Reply;
  try {
    reply = { id: request.id, ok: true, value: await serve(request) };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply = { id: request.id, ok: false, error: { name: e.name, message: e.message, stack: e.stack } };
  }
  post(port, signal, REPLIES, reply);
}
port.close();

async function serve(request: Exclude<Request, { op: 'close' }>): Promise<unknown> {
  switch (request.op) {
    case 'create': {
      const module = (await import(request.module)) as Record<string, new (...args: unknown[]) => Record<string, unknown>>;
      const Class = module[request.exportName];
      if (typeof Class !== 'function') throw new Error(`${request.module} has no export ${request.exportName}`);
      const handle = nextHandle++;
      objects.set(handle, new Class(...request.args));
      return handle;
    }
    case 'call': {
      const object = objects.get(request.handle);
      const method = object?.[request.method];
      if (typeof method !== 'function') throw new Error(`No method ${request.method} on worker object ${request.handle}`);
      return method.apply(object, request.args);
    }
    case 'dispose': {
      const object = objects.get(request.handle);
      if (object) dispose(object);
      objects.delete(request.handle);
      return null;
    }
  }
}

function dispose(object: Record<string, unknown>): void {
  if (typeof object.dispose === 'function') (object.dispose as () => void)();
}

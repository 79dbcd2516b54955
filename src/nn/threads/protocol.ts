/**
 * The wire format between the main thread and a compute worker. Requests and replies
 * travel over a MessagePort and are read synchronously (receiveMessageOnPort); a
 * shared Int32Array of two counters wakes the other side (Atomics.wait/notify), so
 * neither side needs its event loop between calls and a call costs tens of µs.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

export type Request =
  | { id: number; op: 'create'; module: string; exportName: string; args: unknown[] }
  | { id: number; op: 'call'; handle: number; method: string; args: unknown[] }
  | { id: number; op: 'dispose'; handle: number }
  | { id: number; op: 'close' };

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { name: string; message: string; stack?: string } };

/** Slot 0 counts requests (main → worker), slot 1 replies (worker → main); slot 2 is 1 once the worker is gone. */
export const REQUESTS = 0;
export const REPLIES = 1;
export const EXITED = 2;
export const SIGNAL_BYTES = 12;

/**
 * Blocks until a message is on `port`, then returns it. The counter is read before
 * the port is checked: a message posted after the check bumps the counter first, so
 * the wait returns at once instead of sleeping through it.
 */
export function receiveBlocking<T>(port: MessagePort, signal: Int32Array, slot: number, isAlive: () => boolean = () => true): T {
  for (;;) {
    const seen = Atomics.load(signal, slot);
    const message = receiveMessageOnPort(port);
    if (message !== undefined) return message.message as T;
    if (!isAlive()) {
      const last = receiveMessageOnPort(port);
      if (last !== undefined) return last.message as T;
      throw new Error('The compute worker thread stopped unexpectedly.');
    }
    Atomics.wait(signal, slot, seen, 1000);
  }
}

/** Posts a copy of `message` (typed arrays are cloned, never moved: callers keep theirs). */
export function post(port: MessagePort, signal: Int32Array, slot: number, message: Request | Reply): void {
  port.postMessage(message);
  Atomics.add(signal, slot, 1);
  Atomics.notify(signal, slot);
}

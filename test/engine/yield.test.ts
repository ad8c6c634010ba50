import { afterEach, describe, expect, it } from 'vitest';
import { yieldToEventLoop } from '../../src/engine/errors';

const g = globalThis as { scheduler?: unknown; setImmediate?: unknown };
const savedImmediate = g.setImmediate;

afterEach(() => {
  delete g.scheduler;
  g.setImmediate = savedImmediate;
});

describe('yieldToEventLoop', () => {
  it('should let a task queued before it run first, even where scheduler.yield exists', async () => {
    // Chrome's scheduler.yield() resumes ahead of already-queued tasks: modelled as a microtask
    g.scheduler = { yield: () => Promise.resolve() };
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    await yieldToEventLoop();
    expect(ran).toBe(true);
  });

  it('should yield through a MessageChannel where there is no setImmediate (browsers), resuming callers in order', async () => {
    g.setImmediate = undefined;
    const order: number[] = [];
    let sync = true;
    const all = Promise.all([0, 1, 2].map((i) => yieldToEventLoop().then(() => order.push(i))));
    sync = false;
    await all;
    expect(sync).toBe(false);
    expect(order).toEqual([0, 1, 2]);
  });
});

import { describe, expect, it } from 'vitest';
import { SessionMutex } from '../../src/cpe/mutex.js';

describe('SessionMutex', () => {
  it('serialises holders in FIFO order', async () => {
    const m = new SessionMutex();
    const order: string[] = [];
    const work = async (name: string, ticks: number): Promise<void> => {
      const release = await m.acquire();
      order.push(`${name}+`);
      for (let i = 0; i < ticks; i++) await Promise.resolve();
      order.push(`${name}-`);
      release();
    };
    await Promise.all([work('a', 5), work('b', 1), work('c', 3)]);
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
    expect(m.locked).toBe(false);
  });

  it('reports locked and waiting', async () => {
    const m = new SessionMutex();
    const r1 = await m.acquire();
    expect(m.locked).toBe(true);
    const p2 = m.acquire();
    const p3 = m.acquire();
    expect(m.waiting).toBe(2);
    r1();
    const r2 = await p2;
    expect(m.waiting).toBe(1);
    r2();
    (await p3)();
    expect(m.locked).toBe(false);
    expect(m.waiting).toBe(0);
  });

  it('a double release does not admit two holders', async () => {
    const m = new SessionMutex();
    const r1 = await m.acquire();
    const p2 = m.acquire();
    const p3 = m.acquire();
    r1();
    r1();
    await p2;
    let third = false;
    void p3.then(() => (third = true));
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
    expect(m.waiting).toBe(1);
  });
});

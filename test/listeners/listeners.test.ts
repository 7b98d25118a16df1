import { describe, expect, it } from 'vitest';
import { withListener, withoutListener, type ListenerList } from '../../src/listeners/index.js';

describe('listener lists', () => {
  const a = (): void => undefined;
  const b = (): void => undefined;

  it('adds in order and never the same function twice (as a Set)', () => {
    let list: ListenerList<number> | undefined;
    list = withListener(list, a);
    list = withListener(list, b);
    list = withListener(list, a);
    expect(list).toEqual([a, b]);
  });

  it('removes a listener, and is undefined once the last is gone', () => {
    let list: ListenerList<number> | undefined = withListener(withListener(undefined, a), b);
    list = withoutListener(list, a);
    expect(list).toEqual([b]);
    expect(withoutListener(list, a)).toBe(list); // not in it: unchanged
    expect(withoutListener(list, b)).toBeUndefined();
    expect(withoutListener(undefined, b)).toBeUndefined();
  });

  it('never changes a list an emitter is walking: (un)subscribing inside a call affects later events only', () => {
    const calls: string[] = [];
    let list: ListenerList<number> | undefined;
    const late = (): void => {
      calls.push('late');
    };
    const first = (): void => {
      calls.push('first');
      list = withoutListener(list, second);
      list = withListener(list, late);
    };
    const second = (): void => {
      calls.push('second');
    };
    list = withListener(withListener(undefined, first), second);
    for (const l of list) l(1);
    expect(calls).toEqual(['first', 'second']);
    calls.length = 0;
    for (const l of list ?? []) l(2);
    expect(calls).toEqual(['first', 'late']);
  });
});

/**
 * Listener lists as copy-on-write arrays: what `onChange`, `onLifecycle` … keep in place
 * of a `Set`. Every CPE of a fleet holds several, most with one listener: an array of one
 * is ~56 bytes where a `Set` is ~150 (issue 21: 10,000 USP agents). Adding or removing
 * makes a new array, so an emitter walks the list it read without copying it, and a
 * listener that subscribes or unsubscribes while being called changes only later events.
 * @module
 */

/** One event's listeners, in the order they subscribed. */
export type ListenerList<T> = readonly ((event: T) => void)[];

/**
 * `list` with `listener` added at the end; a function already in it is not added twice
 * (as a `Set` would not).
 * @example
 * this.listeners = withListener(this.listeners, listener);
 */
export function withListener<T>(list: ListenerList<T> | undefined, listener: (event: T) => void): ListenerList<T> {
  if (list === undefined) return [listener];
  if (list.includes(listener)) return list;
  // Sized to fit: a spread or a push would leave room for 16 more (~130 bytes).
  const out = new Array<(event: T) => void>(list.length + 1);
  for (let i = 0; i < list.length; i++) out[i] = list[i]!;
  out[list.length] = listener;
  return out;
}

/**
 * `list` without `listener`; undefined once no listener is left, so an emitter can skip
 * the event at once.
 * @example
 * this.listeners = withoutListener(this.listeners, listener);
 */
export function withoutListener<T>(list: ListenerList<T> | undefined, listener: (event: T) => void): ListenerList<T> | undefined {
  if (list === undefined || !list.includes(listener)) return list;
  if (list.length === 1) return undefined;
  // Sized to fit, as in withListener (filter() grows its result as it goes).
  const out = new Array<(event: T) => void>(list.length - 1);
  let k = 0;
  for (const l of list) if (l !== listener) out[k++] = l;
  return out;
}

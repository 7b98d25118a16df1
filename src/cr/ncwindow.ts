/**
 * Replay protection for one Digest nonce: a sliding window over nonce-count values
 * (RFC 7616 §3.4: "the server can detect request replays by maintaining its own copy
 * of this count"). Constant memory per nonce: the highest nc seen plus a bitmap of
 * the {@link NC_WINDOW} values below it, like IPsec's anti-replay window (RFC 4303
 * §3.4.3). An nc may arrive out of order inside the window but only once; an nc
 * that has fallen below the window is rejected. Pure.
 * @module
 */

/** Width of the window in nc values. */
export const NC_WINDOW = 64;
const WIDTH = BigInt(NC_WINDOW);

/** Why {@link NcWindow.use} refused a value. */
export type NcVerdict = 'ok' | 'replay' | 'too-old' | 'invalid';

/** Seen nc values of one nonce. */
export class NcWindow {
  /** Highest nc accepted so far (0 = none). */
  private highest = 0;
  /** Bit i set = nc `highest - i` was used. */
  private seen = 0n;

  /** Records `nc` (1 … 0xffffffff) if it was not used before. */
  use(nc: number): NcVerdict {
    if (!Number.isInteger(nc) || nc < 1 || nc > 0xffffffff) return 'invalid';
    if (nc > this.highest) {
      const shift = BigInt(nc - this.highest);
      this.seen = shift >= WIDTH ? 1n : BigInt.asUintN(NC_WINDOW, (this.seen << shift) | 1n);
      this.highest = nc;
      return 'ok';
    }
    const back = BigInt(this.highest - nc);
    if (back >= WIDTH) return 'too-old';
    const bit = 1n << back;
    if ((this.seen & bit) !== 0n) return 'replay';
    this.seen |= bit;
    return 'ok';
  }

  /** Highest nc accepted so far (0 = none). */
  get highestNc(): number {
    return this.highest;
  }
}

/**
 * Firmware images as cpe-sim understands them (profile reference §7.2 plus our
 * checksum extension). Pure: no I/O.
 *
 * An image starts with text header lines; the seed reads only the version line:
 * ```
 * cpe-labs-firmware-version: 7.2.1
 * cpe-labs-firmware-sha256: 3f1c…            (cpe-sim extension, optional)
 *                                             (an empty line ends the header)
 * <payload bytes>
 * ```
 * @module
 */
import { createHash, type Hash } from 'node:crypto';

/** The seed looks for the version line in this many leading bytes (ref §7.2 step 3). */
export const IMAGE_HEAD_BYTES = 65_536;

/** Header line naming the version (the seed's convention). */
export const VERSION_HEADER = 'cpe-labs-firmware-version:';
/** Header line carrying the SHA-256 (hex) of the payload after the header's empty line (cpe-sim extension). */
export const CHECKSUM_HEADER = 'cpe-labs-firmware-sha256:';

function headerValue(head: Buffer, prefix: string): string | undefined {
  for (const raw of head.toString('latin1').split('\n')) {
    const line = raw.trim();
    // The FIRST matching line decides; an empty rest means "no value" (ref §7.2).
    if (line.startsWith(prefix)) {
      const v = line.slice(prefix.length).trim();
      return v === '' ? undefined : v;
    }
  }
  return undefined;
}

/** The version a `fetch: true` image announces in its first 64 KiB, or undefined. */
export function versionFromHead(head: Buffer): string | undefined {
  return headerValue(head.subarray(0, IMAGE_HEAD_BYTES), VERSION_HEADER);
}

/**
 * The version a `fetch: false` Download takes from its URL (ref §7.2): the last path
 * segment (query ignored) without its final extension unless that is all digits.
 * `…/gw-7.2.1.img` → `gw-7.2.1`, `…/7.2.1` → `7.2.1`, `…/.img` or `…/` → undefined.
 */
export function versionFromUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  if (path === '' || path.endsWith('/')) return undefined;
  let name = path.slice(path.lastIndexOf('/') + 1);
  try {
    name = decodeURIComponent(name);
  } catch {
    // keep the raw segment
  }
  const dot = name.lastIndexOf('.');
  if (dot >= 0 && !/^\d+$/.test(name.slice(dot + 1))) name = name.slice(0, dot);
  return name === '' ? undefined : name;
}

/**
 * Watches a download go by: keeps the first {@link IMAGE_HEAD_BYTES} and hashes the
 * payload after the header's empty line, so a 1 GiB image costs 64 KiB.
 */
export class ImageInspector {
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;
  private head: Buffer | undefined;
  private hash: Hash | undefined;
  /** Bytes seen. */
  bytes = 0;

  /** Feeds the next chunk. */
  write(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (this.head !== undefined) {
      this.hash?.update(chunk);
      return;
    }
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.headChunks.push(Buffer.from(buf)); // a copy: the download's read buffer is overwritten by the next read (decision 022)
    this.headLength += buf.length;
    if (this.headLength >= IMAGE_HEAD_BYTES) this.sealHead();
  }

  private sealHead(): void {
    const all = Buffer.concat(this.headChunks);
    this.headChunks.length = 0;
    this.head = all.subarray(0, IMAGE_HEAD_BYTES);
    const end = all.indexOf('\n\n');
    // The payload (what the checksum covers) starts after the first empty line.
    if (end >= 0 && end < IMAGE_HEAD_BYTES) {
      this.hash = createHash('sha256');
      this.hash.update(all.subarray(end + 2));
    }
  }

  /** Call once the body ended: the version, the declared and the actual checksum. */
  finish(): { version: string | undefined; declaredSha256: string | undefined; sha256: string | undefined; bytes: number } {
    if (this.head === undefined) this.sealHead();
    const head = this.head ?? Buffer.alloc(0);
    const declared = headerValue(head, CHECKSUM_HEADER)?.toLowerCase();
    return { version: versionFromHead(head), declaredSha256: declared, sha256: this.hash?.digest('hex'), bytes: this.bytes };
  }
}

/**
 * TFRecord framing, the container of TensorBoard's event files. Each record is
 *
 *   uint64 length (little-endian) · uint32 masked CRC-32C of those 8 bytes ·
 *   payload · uint32 masked CRC-32C of the payload
 *
 * The CRC is "masked" (rotated and offset) because a CRC over data that itself contains
 * CRCs is weak; readers (TensorFlow, TensorBoard's Python and Rust loaders) reject a
 * record whose checksums do not match.
 */
import CRC32C from 'crc-32/crc32c.js';

const MASK_DELTA = 0xa282ead8;

/** CRC-32C (Castagnoli) of `bytes`, masked as TFRecord stores it. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = CRC32C.buf(bytes) >>> 0;
  const rotated = ((crc >>> 15) | (crc << 17)) >>> 0;
  return (rotated + MASK_DELTA) >>> 0;
}

/** One record: header, payload and both checksums, ready to append to a file. */
export function tfRecord(payload: Uint8Array): Buffer {
  const record = Buffer.alloc(8 + 4 + payload.length + 4);
  record.writeBigUInt64LE(BigInt(payload.length), 0);
  record.writeUInt32LE(maskedCrc32c(record.subarray(0, 8)), 8);
  record.set(payload, 12);
  record.writeUInt32LE(maskedCrc32c(payload), 12 + payload.length);
  return record;
}

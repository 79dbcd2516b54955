// The crc-32 package types only its CRC-32 entry point; its CRC-32C one has the same shape.
declare module 'crc-32/crc32c.js' {
  /** CRC-32C of the bytes, as a signed 32-bit integer. */
  export function buf(data: Uint8Array | number[], seed?: number): number;
}

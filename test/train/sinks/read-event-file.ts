/**
 * An event-file reader for the tests, sharing no code with the writer: TFRecord framing
 * read here, checksums from @node-rs/crc32 (a Rust CRC-32C), messages decoded by pbf from
 * fixtures/tensorboard-event.proto. Its answers are checked against a file written by
 * TensorBoard's own Python writer (fixtures/tensorboard-python-writer.tfevents).
 */
import { crc32c } from '@node-rs/crc32';
import { PbfReader } from 'pbf';
import { compile } from 'pbf/compile';
import schema from 'protocol-buffers-schema';
import { readFileSync } from 'node:fs';

const messages = compile(schema.parse(readFileSync(new URL('fixtures/tensorboard-event.proto', import.meta.url), 'utf8')));

/** Event as pbf decodes it: every field present, defaults where the file has none. */
export interface DecodedEvent {
  wall_time: number;
  step: number;
  what: string | undefined;
  file_version: string;
  summary: { value: DecodedValue[] } | undefined;
  session_log: { status: number; checkpoint_path: string; msg: string } | undefined;
  [field: string]: unknown;
}

export interface DecodedValue {
  tag: string;
  node_name: string;
  value: string | undefined;
  simple_value: number;
  metadata: { plugin_data: { plugin_name: string; content: Uint8Array } | undefined; [field: string]: unknown } | undefined;
  tensor: { dtype: number; tensor_shape: { dim: unknown[]; unknown_rank: boolean }; string_val: Uint8Array[]; [field: string]: unknown } | undefined;
  [field: string]: unknown;
}

/** TFRecord's masking of a CRC-32C: rotate right by 15 bits, add a constant (mod 2^32). */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Splits a file into record payloads, checking both checksums of every record. */
export function readRecords(bytes: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw new Error(`truncated record header at byte ${offset}`);
    const header = bytes.subarray(offset, offset + 8);
    if (bytes.readUInt32LE(offset + 8) !== maskCrc(crc32c(header))) throw new Error(`length checksum mismatch at byte ${offset}`);
    const length = Number(bytes.readBigUInt64LE(offset));
    const payloadStart = offset + 12;
    const payloadEnd = payloadStart + length;
    if (payloadEnd + 4 > bytes.length) throw new Error(`truncated record at byte ${offset}`);
    const payload = bytes.subarray(payloadStart, payloadEnd);
    if (bytes.readUInt32LE(payloadEnd) !== maskCrc(crc32c(payload))) throw new Error(`payload checksum mismatch at byte ${offset}`);
    records.push(payload);
    offset = payloadEnd + 4;
  }
  return records;
}

export function decodeEvent(payload: Uint8Array): DecodedEvent {
  const pbf = new PbfReader(payload);
  return messages.readEvent!(pbf, payload.length) as DecodedEvent;
}

export function readEventFile(file: string): DecodedEvent[] {
  return readRecords(readFileSync(file)).map(decodeEvent);
}

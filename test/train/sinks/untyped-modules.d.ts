// Types for the two parts of the tests' protobuf decoder that ship without them.
declare module 'protocol-buffers-schema' {
  const schema: { parse(proto: string): unknown };
  export default schema;
}

declare module 'pbf/compile' {
  import type { PbfReader } from 'pbf';
  export function compile(schema: unknown): Record<string, (pbf: PbfReader, end?: number) => unknown>;
}

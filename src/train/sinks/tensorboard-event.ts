/**
 * The `Event` protocol buffer that TensorBoard reads, encoded with protobufjs from the
 * subset of TensorBoard's public definitions that mopo writes (tensorboard/compat/proto:
 * event.proto, summary.proto, tensor.proto, tensor_shape.proto, types.proto). Field
 * numbers are the format; names are as there so the schema can be checked against them.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package tensorboard;

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
    SessionLog session_log = 7;
  }
}

message SessionLog {
  enum SessionStatus {
    STATUS_UNSPECIFIED = 0;
    START = 1;
    STOP = 2;
    CHECKPOINT = 3;
  }
  SessionStatus status = 1;
}

message Summary {
  message Value {
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}

message SummaryMetadata {
  message PluginData {
    string plugin_name = 1;
    bytes content = 2;
  }
  PluginData plugin_data = 1;
}

enum DataType {
  DT_INVALID = 0;
  DT_STRING = 7;
}

message TensorShapeProto {
  message Dim {
    int64 size = 1;
  }
  repeated Dim dim = 2;
}

message TensorProto {
  DataType dtype = 1;
  TensorShapeProto tensor_shape = 2;
  repeated bytes string_val = 8;
}
`;

const EventType = protobuf.parse(SCHEMA, { keepCase: true }).root.lookupType('tensorboard.Event');

/** The file_version TensorBoard expects first in every file ("brain.Event:2": restarts are marked by SessionLog START). */
export const FILE_VERSION = 'brain.Event:2';

export type EventContent =
  | { file_version: string }
  | { session_log: { status: 'START' } }
  | { summary: { value: SummaryValue[] } };

export type SummaryValue =
  | { tag: string; simple_value: number }
  | { tag: string; metadata: { plugin_data: { plugin_name: string } }; tensor: StringTensor };

/** A scalar (rank-0) string tensor, as TensorBoard's text plugin stores its Markdown. */
export interface StringTensor {
  dtype: 'DT_STRING';
  tensor_shape: Record<string, never>;
  string_val: Uint8Array[];
}

export function encodeEvent(wallTime: number, step: number, content: EventContent): Uint8Array {
  const message = EventType.fromObject({ wall_time: wallTime, step, ...content });
  return EventType.encode(message).finish();
}

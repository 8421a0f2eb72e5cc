// Package inspect prints recordings for people and scripts: Info (duration, start and end,
// per-subject counts and rates, schemas, compression, truncation) and Cat (the decoded messages
// of chosen subjects, one per line, as protobuf JSON).
//
// Cat decodes with the types this binary knows (bus.Decode) and falls back to the schema stored
// in the recording (its FileDescriptorSet, through dynamicpb) for types it does not know, so
// any protobuf MCAP can be read.
package inspect

// Package msg is the one list of what travels on the bus: the subject catalogue (subject pattern,
// message type, nominal rate, delivery, whether it is recorded) and helpers that turn message
// types into self-contained schemas for recordings.
//
// The protobuf schemas live in msg/proto; the generated Go is in msg/foxglove (Foxglove-compatible
// messages, package foxglove) and msg/av (the stack's own, package avstack.v1). Regenerate with
// `make proto`; the generated code is committed.
//
// Anything that needs a list of subjects (recorder, player, monitoring, auth) reads Catalogue.
package msg

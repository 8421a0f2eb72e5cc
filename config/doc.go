// Package config loads the YAML a person edits (configs/vehicle.yaml and friends) into typed
// structs. Loading is strict: unknown keys are errors, and every type has a Validate method whose
// errors name the file, the field path and the offending value. Bad configuration stops start-up;
// it never reaches a node.
//
// Node settings stay as raw YAML (NodeConfig.Settings) until the node's own factory decodes them
// strictly into its own typed struct with DecodeStrict, so each package owns its settings type.
package config

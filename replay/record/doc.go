// Package record writes bus traffic to MCAP recordings.
//
// A Recorder subscribes (reliable delivery, a deep queue) to subject patterns on a bus
// connection and writes every message it receives through an mcapio.Writer: one channel per
// concrete subject, the message's own bytes, log time = receive time, publish time = the
// message's stamp (header.stamp_ns or the foxglove timestamp; the receive time when it has none).
//
//	w, _ := mcapio.Create("drive.mcap", mcapio.WriterOptions{})
//	rec, _ := record.Start(conn, w, record.Options{Subjects: []string{"av.>"}})
//	...
//	st := rec.Stop(time.Second) // drains what was received, unsubscribes
//	w.Close()
//
// By default only subjects of the catalogue marked Recorded are kept; others are counted as
// skipped (Options.All keeps every message whose type this binary knows).
//
// In-process producers (the simulator's observer hook) skip the bus: they call
// mcapio.Writer.Write(subject, typeName, data, logTime, publishTime) directly with the bytes they
// published, or WriteProto with the message.
package record

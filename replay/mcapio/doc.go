// Package mcapio writes and reads avstack recordings: MCAP files (https://mcap.dev) with one
// channel per bus subject, protobuf message encoding and one self-contained FileDescriptorSet
// schema per message type, named by its full protobuf name (foxglove.CompressedImage,
// avstack.v1.ObjectList...), so a recording opens in Foxglove as it is.
//
// Writing:
//
//	w, err := mcapio.Create("drive.mcap", mcapio.WriterOptions{})
//	err = w.Write(subject, typeName, data, logTime, publishTime) // any goroutine
//	err = w.Close()                                              // summary, index, footer
//
// Messages are written into zstd-compressed chunks (ChunkSize bytes, uncompressed) with
// message indexes after each chunk and a summary section (schemas, channels, statistics,
// chunk indexes) at the end. A writer that is killed leaves every chunk it completed on disk;
// OpenRecover reads them back. With SplitSize or SplitDuration the writer rotates to
// NAME_001.mcap, NAME_002.mcap... (the first file keeps NAME.mcap).
//
// Reading:
//
//	r, err := mcapio.Open("drive.mcap")          // needs a complete file (footer + summary)
//	r, err := mcapio.OpenRecover("drive.mcap")   // scans the data section, stops at the cut
//	sum := r.Summary()
//	err = r.Each(mcapio.Filter{Subjects: ...}, func(m mcapio.Message) error { ... })
//
// Messages come back in file order, which the writer keeps equal to log-time order
// (Write refuses nothing but clamps a log time that goes backwards to the previous one, so a
// recording made from several subscription goroutines still plays back in the order it was
// written). Every error names the file; a file that is not MCAP or is truncated is ErrBadFile.
package mcapio

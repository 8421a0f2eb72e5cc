// Package bus is avstack's messaging layer on NATS: an embedded server (in-process or on TCP),
// connections with the options a vehicle needs (credentials, TLS, reconnect with backoff), typed
// protobuf publish/subscribe with the two delivery modes of the catalogue (latest-only and
// reliable), request/reply, and clocks (wall and sim).
//
// Every message carries its protobuf full name in the NATS header "Av-Type". A subscriber checks
// it and decodes; wrong types and undecodable bytes are counted in the subscription's Stats and
// reported to the error handler with the subject, and never reach the handler.
//
//	srv, _ := bus.StartServer(bus.ServerOptions{})      // in-process only
//	defer srv.Shutdown()
//	c, _ := bus.ConnectInProcess(srv, "demo")
//	defer c.Close()
//	sub, _ := bus.Subscribe(c, "av.vehicle.state", func(m bus.Msg[*av.VehicleState]) { ... },
//	        bus.WithDelivery(msg.LatestOnly))
//	_ = c.Publish("av.vehicle.state", &av.VehicleState{...})
//
// Lock order: Subscription.mu is a leaf lock; handlers run without it held.
package bus

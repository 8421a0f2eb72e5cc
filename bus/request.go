package bus

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/proto"
)

// ErrorHeader carries a responder's error text instead of a reply body.
const ErrorHeader = "Av-Error"

// Request sends req and waits for a reply of type Resp.
func Request[Resp proto.Message](c *Conn, subject string, req proto.Message, timeout time.Duration) (Resp, error) {
	var zero Resp
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	if err != nil {
		return zero, fmt.Errorf("bus: request %s: %w", subject, err)
	}
	nm := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{TypeHeader: []string{string(req.ProtoReflect().Descriptor().FullName())}}}
	reply, err := c.nc.RequestMsg(nm, timeout)
	if err != nil {
		if errors.Is(err, nats.ErrNoResponders) {
			return zero, fmt.Errorf("bus: request %s: nobody answers on this subject: %w", subject, err)
		}
		return zero, fmt.Errorf("bus: request %s: %w", subject, err)
	}
	if e := reply.Header.Get(ErrorHeader); e != "" {
		return zero, fmt.Errorf("bus: request %s: responder: %s", subject, e)
	}
	mt := zero.ProtoReflect().Type()
	v, err := decodeAs(mt, mt.Descriptor().FullName(), RawMsg{Subject: subject, Type: reply.Header.Get(TypeHeader), Data: reply.Data})
	if err != nil {
		return zero, err
	}
	return v.(Resp), nil
}

// Respond answers requests of type Req with the handler's reply; a handler error goes back to the
// requester in the Av-Error header.
func Respond[Req, Resp proto.Message](c *Conn, subject string, handler func(Req) (Resp, error)) (*Subscription, error) {
	var zero Req
	mt := zero.ProtoReflect().Type()
	want := mt.Descriptor().FullName()
	sub := &Subscription{conn: c, subject: subject, done: make(chan struct{})}
	sub.cond = sync.NewCond(&sub.mu)
	close(sub.done) // NATS runs the handler; there is no delivery goroutine to wait for
	ns, err := c.nc.Subscribe(subject, func(m *nats.Msg) {
		typ := ""
		if m.Header != nil {
			typ = m.Header.Get(TypeHeader)
		}
		out := &nats.Msg{Subject: m.Reply, Header: nats.Header{}}
		v, err := decodeAs(mt, want, RawMsg{Subject: m.Subject, Type: typ, Data: m.Data, Received: time.Now()})
		if err != nil {
			sub.bad.Add(1)
			c.onError(err)
			out.Header.Set(ErrorHeader, err.Error())
		} else {
			resp, herr := handler(v.(Req))
			if herr != nil {
				out.Header.Set(ErrorHeader, herr.Error())
			} else {
				data, merr := proto.MarshalOptions{Deterministic: true}.Marshal(resp)
				if merr != nil {
					out.Header.Set(ErrorHeader, merr.Error())
				} else {
					out.Data = data
					out.Header.Set(TypeHeader, string(resp.ProtoReflect().Descriptor().FullName()))
				}
			}
			sub.delivered.Add(1)
		}
		sub.received.Add(1)
		if m.Reply != "" {
			if err := c.nc.PublishMsg(out); err != nil {
				c.onError(fmt.Errorf("bus: reply on %s: %w", subject, err))
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("bus: respond %s: %w", subject, err)
	}
	sub.sub = ns
	return sub, nil
}

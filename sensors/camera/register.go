package camera

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/avstack/avstack/node"
)

type protoMsg = proto.Message

func init() {
	node.Register("camera", func(ctx node.Context) (node.Core, error) {
		s := Defaults()
		if err := ctx.Settings(&s); err != nil {
			return nil, err
		}
		name := s.Camera
		if name == "" {
			name = ctx.Name
		}
		cam, ok := ctx.Vehicle.Camera(name)
		if !ok {
			return nil, fmt.Errorf("camera: %s: node %s: no cameras[] entry named %q", ctx.Vehicle.File, ctx.Name, name)
		}
		return New(ctx.Name, s, cam)
	})
}

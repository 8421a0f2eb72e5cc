package lidar

import (
	"fmt"

	"github.com/avstack/avstack/node"
)

func init() {
	node.Register("lidar", func(ctx node.Context) (node.Core, error) {
		s := Defaults()
		if err := ctx.Settings(&s); err != nil {
			return nil, err
		}
		name := s.Lidar
		if name == "" {
			name = ctx.Name
		}
		l, ok := ctx.Vehicle.Lidar(name)
		if !ok {
			return nil, fmt.Errorf("lidar: %s: node %s: no lidars[] entry named %q", ctx.Vehicle.File, ctx.Name, name)
		}
		return New(ctx.Name, s, l)
	})
}
